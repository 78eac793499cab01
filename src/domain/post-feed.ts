import { EventEmitter, on } from "node:events";
import type { Post } from "../db/generated/client.js";

/** How many recently delivered post ids are remembered to drop the second report of one post. */
const REMEMBERED_POSTS = 1024;

/**
 * Posts as they are published, for the postPublished subscription. A post created by this
 * process is published at once; on a database that pushes changes (PostgreSQL) every process
 * also hears of posts other processes created, and the same post reported twice (by this
 * process and by the database's echo) is delivered once.
 */
export class PostFeed {
  readonly #emitter = new EventEmitter();
  readonly #delivered = new Set<string>();

  constructor() {
    // Every subscription listens; the default warning at 10 listeners would misfire.
    this.#emitter.setMaxListeners(0);
  }

  publish(post: Post): void {
    if (!post.published || this.#delivered.has(post.id)) return;
    this.#delivered.add(post.id);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.#delivered.size > REMEMBERED_POSTS) this.#delivered.delete(this.#delivered.values().next().value!);
    this.#emitter.emit("post", post);
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
