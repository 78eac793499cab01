import nodemailer from "nodemailer";
import type { Mailer } from "./mailer.js";

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:port` or `smtps://…` */
  url: string;
  from: string;
}

/** Mail over SMTP through nodemailer. A refused or failed delivery rejects, so callers can log it. */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const transport = nodemailer.createTransport(options.url, { from: options.from });
  return {
    async send(mail) {
      await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
    },
    async close() {
      transport.close();
    },
  };
}
