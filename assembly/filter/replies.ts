// Replies the filter makes itself: the function's response relayed, or a short JSON error.
// Every error reply is logged once and counted, and never carries a secret.
import { log, sendLocalResponse } from "../abi/host";
import { LogLevel } from "../abi/types";
import { Header } from "../http/header";
import { countFailure, countReply, Failure } from "./metrics";

const LOG_PREFIX = "aws-lambda: ";

/** JSON string literal of `text` (quotes, backslashes and control characters escaped). */
export function jsonString(text: string): string {
  let out = "\"";
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    out += text.substring(runStart, i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else {
      const hex = c.toString(16);
      out += "\\u" + "0000".substring(hex.length) + hex;
    }
    runStart = i + 1;
  }
  return out + text.substring(runStart) + "\"";
}

/** Writes one log line with the filter's prefix. */
export function logLine(level: LogLevel, message: string): void {
  log(level, LOG_PREFIX + message);
}

/** Sends the function's response (status, headers, body) to the client. */
export function relay(status: u32, headers: Array<Header>, body: ArrayBuffer): void {
  countReply(status);
  sendLocalResponse(status, "aws_lambda_function_response", body, headers);
}

/**
 * Answers with `{"error": kind, "message": …}`, logs `METHOD PATH: message` once at `level`, counts it.
 * `details` is the host's response-code detail (no spaces, Envoy shows it in access logs).
 */
export function fail(kind: Failure, status: u32, level: LogLevel, request: string, message: string,
  details: string, extraHeaders: Array<Header> = []): void {
  countFailure(kind);
  countReply(status);
  logLine(level, request + ": " + message + " (" + status.toString() + ")");
  const body = "{\"error\":" + jsonString(details) + ",\"message\":" + jsonString(message) + "}";
  const headers: Array<Header> = [new Header("content-type", "application/json")];
  for (let i = 0; i < extraHeaders.length; i++) headers.push(unchecked(extraHeaders[i]));
  sendLocalResponse(status, details, String.UTF8.encode(body), headers);
}
