import { EventEmitter, on } from "node:events";
import type { Post } from "../db/generated/client.js";

/**
 * Posts as they are published in this process, for the postPublished subscription.
 * In-process only: with several processes, each subscriber hears the posts created by the
 * process it is connected to (a shared broker would carry them between processes).
 */
export class PostFeed {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every subscription listens; the default warning at 10 listeners would misfire.
    this.#emitter.setMaxListeners(0);
  }

  publish(post: Post): void {
    if (post.published) this.#emitter.emit("post", post);
  }

  /** Published posts from now on, until `signal` aborts or the consumer returns. */
  async *published(signal?: AbortSignal): AsyncGenerator<Post> {
    try {
      for await (const [post] of on(this.#emitter, "post", signal ? { signal } : {})) yield post as Post;
    } catch (error) {
      if (!(error instanceof Error && error.name === "AbortError")) throw error;
    }
  }

  get subscriberCount(): number {
    return this.#emitter.listenerCount("post");
  }
}
