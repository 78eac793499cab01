import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Mailer, OutgoingMail } from "./mailer.js";

export interface OutboxMailerOptions {
  /** The folder mails are written to (created 0700). */
  dir: string;
  from: string;
  clock: () => Date;
  /** Called with each mail, so development can print it. */
  onMail?: (mail: OutgoingMail, file: string) => void;
}

/**
 * Development and tests without a mail server: each mail becomes one JSON file in the outbox,
 * named `<ISO time>-<purpose>-<id>.json`, holding `to`, `from`, `subject`, `text`, `purpose`,
 * `link`, `token` and `sentAt`, so scripts can complete a flow (`jq -r .link`). Files are 0600:
 * the links in them log people in.
 */
export function createOutboxMailer(options: OutboxMailerOptions): Mailer {
  let ready: Promise<unknown> | undefined;
  return {
    async send(mail) {
      ready ??= mkdir(options.dir, { recursive: true, mode: 0o700 });
      await ready;
      const sentAt = options.clock();
      const file = join(options.dir, `${sentAt.toISOString().replace(/[:.]/g, "-")}-${mail.purpose}-${randomUUID().slice(0, 8)}.json`);
      await writeFile(file, `${JSON.stringify({ ...mail, from: options.from, sentAt: sentAt.toISOString() }, null, 2)}\n`, {
        mode: 0o600,
        flag: "wx",
      });
      options.onMail?.(mail, file);
    },
    async close() {},
  };
}
