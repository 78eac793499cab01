import type { AccountService } from "../auth/accounts.js";
import type { Principal } from "../auth/authenticate.js";
import type { ClientInfo, SessionService } from "../auth/sessions.js";
import type { Database } from "../db/database.js";

/** Long-lived services the resolvers use, built once at startup. */
export interface Services {
  readonly db: Database;
  readonly accounts: AccountService;
  readonly sessions: SessionService;
  readonly clock: () => Date;
}

/** Per-request context. `auth` is what `@requiresClaims` reads. */
export interface GraphQLContext {
  readonly auth: Principal;
  readonly services: Services;
  readonly client: ClientInfo;
  readonly requestId: string;
}

/** The session (`sid`) of the caller's access token, or null when anonymous. */
export function sessionOf(context: GraphQLContext): string | null {
  return context.auth.claims?.sid ?? null;
}

/** The verified subject of a guarded field's caller; the directive has already checked it exists. */
export function subjectOf(context: GraphQLContext): string {
  const subject = context.auth.claims?.sub;
  if (subject === undefined) throw new Error("subjectOf called on a field without @requiresClaims");
  return subject;
}
