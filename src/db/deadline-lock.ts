/**
 * A first-come, first-served lock whose waiters give up at their own deadline, so a request
 * queued behind others fails after DB_BUSY_TIMEOUT of its own waiting, not after the sum of
 * everyone's. Waiting is a promise: the event loop keeps serving other requests.
 */
export class DeadlineLock {
  #held = false;
  readonly #queue: { grant: () => void; timer: NodeJS.Timeout | undefined }[] = [];

  get held(): boolean {
    return this.#held;
  }

  /** How many are waiting for the lock now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves with a release function, or rejects with `onTimeout()` at the deadline (epoch ms). */
  acquire(deadline: number, onTimeout: () => Error): Promise<() => void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(this.#releaser());
        },
        timer: undefined as NodeJS.Timeout | undefined,
      };
      waiter.timer = setTimeout(() => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(onTimeout());
      }, Math.max(0, deadline - Date.now()));
      this.#queue.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next.grant();
      else this.#held = false;
    };
  }
}
