import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// Heap measurements need a collection first: expose V8's gc to this process.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Bytes of JavaScript heap in use after two full collections (what survives them). */
export function heapUsedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
