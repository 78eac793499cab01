// A load generator's HTTP/1.1 client: one keep-alive TCP connection, a request written as one
// string, the response read by Content-Length. The bench's generator shares the machine's two
// cores with the server it measures; fetch (undici) spends several hundred microseconds of CPU
// per request on streams and promises, which starved the server of the CPU it was being measured
// on and left it idling between requests, so its CPU per request rose with every idle wake-up.
// This client spends a few tens of microseconds, so the server is what limits the throughput.
import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  body: string;
}

export class RawHttpClient {
  #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: { resolve(response: RawResponse): void; reject(error: Error): void } | null = null;
  readonly #host: string;
  readonly #path: string;

  private constructor(socket: Socket, url: URL) {
    this.#socket = socket;
    this.#host = url.host;
    this.#path = url.pathname + url.search;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#drain();
    });
    socket.on("error", (error) => this.#fail(error));
    socket.on("close", () => this.#fail(new Error("the server closed the connection")));
  }

  static connect(url: string): Promise<RawHttpClient> {
    const parsed = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(parsed.port), parsed.hostname, () => resolve(new RawHttpClient(socket, parsed)));
      socket.once("error", reject);
    });
  }

  /** POSTs a JSON body; one request at a time per client (as a browser tab's refresh chain does). */
  post(json: string, headers: Readonly<Record<string, string>> = {}): Promise<RawResponse> {
    if (this.#waiting) throw new Error("one request at a time per connection");
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
    const request =
      `POST ${this.#path} HTTP/1.1\r\nHost: ${this.#host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\n${extra}\r\n${json}`;
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#socket.removeAllListeners("close");
    this.#socket.end();
  }

  #drain(): void {
    const end = this.#buffer.indexOf("\r\n\r\n");
    if (end < 0 || !this.#waiting) return;
    const head = this.#buffer.toString("latin1", 0, end);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) return this.#fail(new Error(`a response without Content-Length: ${head.split("\r\n")[0]}`));
    const total = end + 4 + Number(length[1]);
    if (this.#buffer.length < total) return;
    const body = this.#buffer.toString("utf8", end + 4, total);
    this.#buffer = this.#buffer.subarray(total);
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting.resolve({ status: Number(head.slice(9, 12)), body });
  }

  #fail(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(error);
  }
}
