import { createHash } from "node:crypto";
import { isIPv6 } from "node:net";

/**
 * Names of attempt counters. An address is stored as its SHA-256, so counters neither keep
 * personal data (they outlive a deleted account) nor grow with whatever a client sends as email.
 * IPv6 clients are counted per /64: one host usually holds the whole /64, so counting per /128
 * would let it rotate addresses past every limit.
 */
export const emailKey = (email: string) => createHash("sha256").update(email).digest("base64url");

export function networkKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
