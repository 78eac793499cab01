import type { Database } from "../db/database.js";
import type { Post } from "../db/generated/client.js";
import { badInput } from "./domain-error.js";

export const MAX_PAGE_SIZE = 100;

export function listPublishedPosts(db: Database, first: number): Promise<Post[]> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput("INVALID_PAGE_SIZE", `first must be between 1 and ${MAX_PAGE_SIZE} (got ${first}).`, { field: "first" });
  }
  return db.post.findMany({ where: { published: true }, orderBy: { createdAt: "desc" }, take: first });
}

export function findPost(db: Database, id: string): Promise<Post | null> {
  return db.post.findUnique({ where: { id } });
}

export function listDrafts(db: Database, authorId: string): Promise<Post[]> {
  return db.post.findMany({ where: { authorId, published: false }, orderBy: { createdAt: "desc" } });
}

export function listPostsBy(db: Database, authorId: string): Promise<Post[]> {
  return db.post.findMany({ where: { authorId, published: true }, orderBy: { createdAt: "desc" } });
}

export interface CreatePostInput {
  title: string;
  body: string;
  secretNote?: string | null;
  published?: boolean | null;
}

const MAX_TITLE = 200;
const MAX_BODY = 20_000;

export function createPost(db: Database, authorId: string, input: CreatePostInput): Promise<Post> {
  const title = input.title.trim();
  if (title === "" || title.length > MAX_TITLE) {
    throw badInput("INVALID_TITLE", `A title needs 1 to ${MAX_TITLE} characters (got ${title.length}).`, { field: "title" });
  }
  if (input.body.length > MAX_BODY) {
    throw badInput("INVALID_BODY", `A body may have at most ${MAX_BODY} characters (got ${input.body.length}).`, { field: "body" });
  }
  return db.post.create({
    data: { authorId, title, body: input.body, secretNote: input.secretNote ?? null, published: input.published ?? true },
  });
}
