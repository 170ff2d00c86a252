// Replies the filter makes itself: the function's response relayed, or a short JSON error.
// Every error reply is logged once and counted, and never carries a secret.
import { log, sendLocalResponse } from "../abi/host";
import { LogLevel, WasmResult } from "../abi/types";
import { Header } from "../http/header";
import { countFailure, countReply, Failure } from "./metrics";
import { jsonString } from "../util/json-writer";

const LOG_PREFIX = "aws-lambda: ";

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
  details: string, extraHeaders: Array<Header> = []): WasmResult {
  countFailure(kind);
  countReply(status);
  logLine(level, request + ": " + message + " (" + status.toString() + ")");
  const body = "{\"error\":" + jsonString(details) + ",\"message\":" + jsonString(message) + "}";
  const headers: Array<Header> = [new Header("content-type", "application/json")];
  for (let i = 0; i < extraHeaders.length; i++) headers.push(unchecked(extraHeaders[i]));
  return sendLocalResponse(status, details, String.UTF8.encode(body), headers);
}
