import express from "express";
import type { PlainHandler } from "./direct-routes.js";

export interface JsonBodyOptions {
  /** Larger bodies are refused with 413 before they are read to the end. */
  limitBytes: number;
}

/** The failures body-parser reports, in its shape: bodyErrorHandler answers both alike. */
class BodyReadError extends Error {
  constructor(
    readonly status: number,
    readonly type: "entity.too.large" | "entity.parse.failed" | "request.aborted",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a JSON request body into `req.body`. The common case (an unencoded UTF-8
 * `application/json` body) is read here in a few lines; anything else — gzip, another charset,
 * other content types — goes to Express's body-parser, which handles them. body-parser's general
 * path (type negotiation, charset decoding through iconv-lite, stream plumbing) cost every GraphQL
 * request tens of microseconds. Same rules as body-parser's strict JSON: an empty body is `{}`,
 * anything but an object or array is a parse error, a leading BOM is dropped.
 */
export function jsonBody(options: JsonBodyOptions): PlainHandler {
  // body-parser reads Node's request only (its headers and stream), so it serves direct routes too.
  const general = express.json({ limit: options.limitBytes }) as unknown as PlainHandler;
  return (req, res, next) => {
    if (req.method !== "POST" || req.headers["content-encoding"] !== undefined || !isUtf8Json(req.headers["content-type"])) return general(req, res, next);
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > options.limitBytes) return next(tooLarge(options.limitBytes));
    const chunks: Buffer[] = [];
    let received = 0;
    const fail = (error: BodyReadError) => {
      req.removeListener("data", onData);
      req.removeListener("end", onEnd);
      req.removeListener("aborted", onAborted);
      req.removeListener("error", onAborted);
      req.pause();
      next(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.limitBytes) fail(tooLarge(options.limitBytes));
      else chunks.push(chunk);
    };
    const onAborted = () => fail(new BodyReadError(400, "request.aborted", "The request was aborted while its body was read."));
    const onEnd = () => {
      req.removeListener("aborted", onAborted);
      req.removeListener("error", onAborted);
      try {
        req.body = parseStrictJson(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"));
      } catch {
        return next(new BodyReadError(400, "entity.parse.failed", "The request body is not valid JSON."));
      }
      next();
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("aborted", onAborted);
    req.once("error", onAborted);
  };
}

const tooLarge = (limit: number) => new BodyReadError(413, "entity.too.large", `The request body is larger than ${limit} bytes.`);

/** `application/json`, with no charset or a UTF-8 one (RFC 8259 allows no other). */
function isUtf8Json(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const parts = contentType.split(";");
  if (parts[0]!.trim().toLowerCase() !== "application/json") return false;
  for (let i = 1; i < parts.length; i++) {
    const [name, value = ""] = parts[i]!.split("=");
    if (name!.trim().toLowerCase() === "charset" && !/^"?utf-8"?$/i.test(value.trim())) return false;
  }
  return true;
}

/** body-parser's strict JSON: `{}` for an empty body, and only an object or array at the top. */
export function parseStrictJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = body.trimStart()[0];
  if (first !== "{" && first !== "[") throw new SyntaxError("The body is not a JSON object or array.");
  return JSON.parse(body);
}
