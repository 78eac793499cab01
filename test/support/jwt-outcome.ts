import { errors } from "jose";

/** How one verification ended, in a form two verifiers' results can be compared by. */
export type Outcome =
  | { ok: true; payload: unknown; header: unknown }
  | { ok: false; error: string; jose: boolean; claim?: unknown; reason?: unknown };

/** The payload and header, or the error's class (whether it is one of jose's) and the claim that failed. */
export async function outcome(verification: () => Promise<{ payload: unknown; protectedHeader: unknown }>): Promise<Outcome> {
  try {
    const { payload, protectedHeader } = await verification();
    return { ok: true, payload, header: protectedHeader };
  } catch (error) {
    const failure = error as { constructor: { name: string }; claim?: unknown; reason?: unknown };
    return {
      ok: false,
      error: failure.constructor.name,
      jose: error instanceof errors.JOSEError,
      ...(failure.claim !== undefined ? { claim: failure.claim, reason: failure.reason } : {}),
    };
  }
}
