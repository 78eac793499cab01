import type { Mailer } from "./mailer.js";

/**
 * Production without SMTP_URL (allowed only with email verification off): mails cannot reach
 * anyone, and their links must not land on disk, so sending fails and the caller logs it
 * (`mail_failed`), naming the setting.
 */
export function createUnconfiguredMailer(): Mailer {
  return {
    async send() {
      throw new Error("SMTP_URL is not set, so account mails (password resets) cannot be sent");
    },
    async close() {},
  };
}
