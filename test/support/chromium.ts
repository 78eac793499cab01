import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's package (`apt-get install -y chromium`); CHROMIUM_PATH points elsewhere. Never downloaded. */
export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
export const CHROMIUM_AVAILABLE = existsSync(CHROMIUM_PATH);
/** Appended to the names of browser test suites, so a skipped run says why. */
export const CHROMIUM_SKIP_NOTE = CHROMIUM_AVAILABLE
  ? ""
  : ` (SKIPPED: no Chromium at ${CHROMIUM_PATH}; install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
