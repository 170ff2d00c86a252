// Replies the filter makes itself: the function's response relayed, or a short JSON error.
// Every error reply is logged once and counted, and never carries a secret.
import { log, sendLocalResponse } from "../abi/host";
import { LogLevel, WasmResult } from "../abi/types";
import { Header } from "../http/header";
import { JsonWriter } from "../util/json-writer";
import { Failure, failureKind } from "./failures";
import { countFailure, countReply } from "./metrics";

const LOG_PREFIX = "aws-lambda: ";

/** Writes one log line with the filter's prefix. */
export function logLine(level: LogLevel, message: string): void {
  log(level, LOG_PREFIX + message);
}

/** Sends the function's response (status, headers, body) to the client. */
export function relay(status: u32, headers: Array<Header>, body: ArrayBuffer): WasmResult {
  countReply(status);
  return sendLocalResponse(status, "aws_lambda_function_response", body, headers);
}

/**
 * Answers with `{"error": …, "message": …}` from `failure`'s row, logs `<request>: message (status)` once
 * at the row's level and counts it. `status` 0 keeps the row's status.
 */
export function fail(failure: Failure, request: string, message: string, extraHeaders: Array<Header> = [],
  status: u32 = 0): WasmResult {
  const kind = failureKind(failure);
  const code = status != 0 ? status : kind.status;
  countFailure(failure);
  countReply(code);
  logLine(kind.level, request + ": " + message + " (" + code.toString() + ")");
  const body = new JsonWriter(32 + message.length).beginObject().key("error").string(kind.error).key("message").string(message)
    .endObject().bytes();
  const headers: Array<Header> = [new Header("content-type", "application/json")];
  for (let i = 0; i < extraHeaders.length; i++) headers.push(unchecked(extraHeaders[i]));
  return sendLocalResponse(code, kind.error, body, headers);
}
