import type { OutgoingMail } from "./mailer.js";

/** The texts of the account system's mails; pure, so their wording is tested apart from delivery. */

const hours = (seconds: number) => (seconds >= 7200 ? `${Math.round(seconds / 3600)} hours` : `${Math.round(seconds / 60)} minutes`);

export function verificationMail(options: { to: string; appUrl: string; token: string; ttlSeconds: number }): OutgoingMail {
  const link = `${options.appUrl}/verify-email?token=${encodeURIComponent(options.token)}`;
  return {
    to: options.to,
    purpose: "verify_email",
    subject: "Confirm your email address",
    text:
      `Someone (we hope you) created an account with this address.\n\n` +
      `To confirm it and log in, open this link within ${hours(options.ttlSeconds)}:\n${link}\n\n` +
      `If this was not you, ignore this mail: no account is usable until the link is opened.\n`,
    link,
    token: options.token,
  };
}

/**
 * To the owner of an address someone tried to register again. With a registration still pending,
 * no second link is sent (its password would be a stranger's, if a stranger sent it): the person
 * who owns the mailbox opens the first link, or takes the address over with a password reset.
 */
export function alreadyRegisteredMail(options: { to: string; appUrl: string; pending?: boolean }): OutgoingMail {
  const link = `${options.appUrl}/reset-password`;
  return {
    to: options.to,
    purpose: "already_registered",
    subject: "Someone tried to register with your address",
    text: options.pending
      ? `Someone tried to create an account with this address, which already has a registration waiting ` +
        `to be confirmed.\n\nIf you started that registration, open the link in its mail. If you did not, ` +
        `or lost that mail, ask for a password reset at ${link}: the reset link sets your own password and ` +
        `confirms the address.\nIf none of this was you, ignore this mail.\n`
      : `Someone tried to create an account with this address, which already has one.\n\n` +
        `If it was you, log in instead; if you forgot your password, reset it at ${link}.\n` +
        `If it was not you, nothing changed and you need not do anything.\n`,
    link,
    token: null,
  };
}

export function passwordResetMail(options: { to: string; appUrl: string; token: string; ttlSeconds: number }): OutgoingMail {
  const link = `${options.appUrl}/reset-password?token=${encodeURIComponent(options.token)}`;
  return {
    to: options.to,
    purpose: "reset_password",
    subject: "Reset your password",
    text:
      `Someone (we hope you) asked to reset the password of the account with this address.\n\n` +
      `To choose a new password, open this link within ${hours(options.ttlSeconds)}; it works once, and every ` +
      `session of the account ends when it is used:\n${link}\n\n` +
      `If this was not you, ignore this mail: your password stays as it is.\n`,
    link,
    token: options.token,
  };
}
