/** Security-relevant events, for the audit log. They never carry a token, password or hash. */
export type AuthEvent =
  | {
      readonly event: "login_succeeded";
      readonly userId: string;
      readonly sessionId: string;
      readonly ip: string | null;
      /** The login's time in the service (ms), and of it the wait for the Argon2id verification: the rest is the login's own overhead. */
      readonly durationMs: number;
      readonly passwordCheckMs: number;
    }
  | { readonly event: "login_failed"; readonly reason: string; readonly ip: string | null }
  | { readonly event: "registered"; readonly userId: string }
  | { readonly event: "refresh_succeeded"; readonly userId: string; readonly sessionId: string }
  | { readonly event: "refresh_refused"; readonly reason: string }
  | { readonly event: "logout"; readonly sessionId: string }
  | { readonly event: "sessions_revoked"; readonly userId: string | null; readonly reason: string; readonly count: number }
  | { readonly event: "email_verified"; readonly userId: string }
  | { readonly event: "password_reset"; readonly userId: string }
  | {
      readonly event: "account_changed";
      readonly action: string;
      readonly actorKind: string;
      readonly actorId: string | null;
      readonly targetUserId: string | null;
    }
  | { readonly event: "mail_sent"; readonly purpose: string };

export type AuthEventSink = (event: AuthEvent) => void;

export const discardAuthEvents: AuthEventSink = () => {};
