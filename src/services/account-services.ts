import { createAccountService, type AccountService } from "../auth/accounts.js";
import type { AuthEventSink } from "../auth/auth-events.js";
import { ActionRateLimiter, LoginThrottle } from "../auth/login-throttle.js";
import { createRoleAdmin, type RoleAdmin } from "../auth/role-admin.js";
import type { RevokedSessions } from "../auth/revoked-sessions.js";
import { createSessionService, type SessionService } from "../auth/sessions.js";
import type { KeyRing } from "../auth/signing-keys.js";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Mailer } from "../mail/mailer.js";
import { createOutboxMailer } from "../mail/outbox-mailer.js";
import { createSmtpMailer } from "../mail/smtp-mailer.js";
import { createUnconfiguredMailer } from "../mail/unconfigured-mailer.js";
import type { Logger } from "pino";

export interface AccountServicesOptions {
  config: Config;
  db: Database;
  logger: Logger;
  clock: () => Date;
  /** The key ring sessions sign with; keysNotLoaded where this process signs nothing. */
  keys: KeyRing;
  /** Where ended sessions and claim changes are noted; syncing it with other processes is the caller's choice. */
  revoked: RevokedSessions;
  /** Links in mails default to it (the server's own origin once it listens). */
  publicOrigin?: () => string;
  onRolesChanged?: () => Promise<void>;
}

export interface AccountServices {
  readonly sessions: SessionService;
  readonly accounts: AccountService;
  readonly roles: RoleAdmin;
  readonly mailer: Mailer;
}

/**
 * Sessions, accounts and roles over an open database: what the server's resolvers and the CLI's
 * account commands (delete, disable, unlock) share. Starts nothing in the background.
 */
export function createAccountServices(options: AccountServicesOptions): AccountServices {
  const { config, db, logger, clock, keys, revoked } = options;
  const events: AuthEventSink = (event) => logger.info(event, event.event.replaceAll("_", " "));
  const sessions = createSessionService({ db, keys, tokens: config.tokens, clock, revoked, events });
  const mailer = createMailer(config, logger, clock);
  const accounts = createAccountService({
    db,
    sessions,
    throttle: new LoginThrottle({ db, policy: config.loginThrottle, clock }),
    rateLimiter: new ActionRateLimiter({ db, limits: config.accountRateLimits, clock }),
    mail: config.mail,
    mailer,
    defaultAppUrl: options.publicOrigin ?? (() => `http://${config.host}:${config.port}`),
    devices: { keys, issuer: config.tokens.issuer, ttlSeconds: config.deviceTokenTtlSeconds },
    revoked,
    events,
    clock,
    onMailError: (error, mail) => logger.error({ event: "mail_failed", purpose: mail.purpose, err: error }, "could not send a mail"),
    onSettleError: (error) =>
      logger.error({ event: "throttle_settle_failed", err: error }, "a password check's throttle reservation could not be ended; the check stays counted in flight until its window ends"),
  });
  const roles = createRoleAdmin({ db, revoked, clock, ...(options.onRolesChanged ? { onRolesChanged: options.onRolesChanged } : {}) });
  return { sessions, accounts, roles, mailer };
}

/**
 * SMTP when SMTP_URL is set; otherwise the outbox folder in development and tests, and nothing in
 * production (which refuses to start without SMTP while verification is on).
 */
function createMailer(config: Config, logger: Logger, clock: () => Date): Mailer {
  if (config.mail.smtpUrl) return createSmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from });
  if (config.env === "production") return createUnconfiguredMailer();
  return createOutboxMailer({
    dir: config.mail.outboxDir,
    from: config.mail.from,
    clock,
    // Development prints each mail so the quick start needs no mail server; the link logs a person in, so never elsewhere.
    onMail: (mail, file) =>
      config.env === "development"
        ? logger.info({ event: "mail_outbox", to: mail.to, subject: mail.subject, link: mail.link, file }, `mail to ${mail.to}: ${mail.link ?? mail.subject}`)
        : logger.info({ event: "mail_outbox", purpose: mail.purpose, file }, "mail written to the outbox"),
  });
}
