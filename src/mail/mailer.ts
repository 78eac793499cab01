/** One message the account system sends: plain text, with the one link it is about. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** What the mail is for: "verify_email", "already_registered" or "reset_password". */
  readonly purpose: string;
  /** The link the mail carries, if any, and the single-use token inside it. */
  readonly link: string | null;
  readonly token: string | null;
}

/** The mail port: SMTP in production, the development outbox otherwise. */
export interface Mailer {
  /** Resolves once the mail was handed over (accepted by the SMTP server, or written to the outbox). */
  send(mail: OutgoingMail): Promise<void>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
