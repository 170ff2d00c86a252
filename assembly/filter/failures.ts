// Every way a request can fail, one row each: the status of the reply, the `error` name of its JSON body
// (also the host's response-code details), the level of its one log line, and the counter it moves.
// README "What the filter does with a request" and "Metrics" list the same rows.
import { LogLevel } from "../abi/types";

export enum Failure {
  /** The request path is malformed or could climb above function_uri's path. */
  BadPath,
  /** The request path is outside path_prefix. */
  OutsidePrefix,
  BadMethod,
  /** The request has no Host header (an HTTP/1.0 request), which APISIX cannot hand over safely. */
  NoHost,
  BodyTooLarge,
  NotConfigured,
  /** The host withheld the request headers or body (or, on APISIX, body delivery). */
  RequestHostFault,
  /** The host handed over only part of the callout's answer. */
  ResponseHostFault,
  CalloutRefused,
  CalloutFailed,
  CalloutTimeout,
  BadResponse,
  FunctionError,
  Throttled,
  InvokeRefused,
  LambdaServiceError,
  EventTooLarge,
  /** The path names a function outside allowed_functions. */
  FunctionNotAllowed,
  /** The Invoke API does not know the function or qualifier. */
  NoSuchFunction,
  /** No credentials could be fetched (instance metadata, container endpoint, STS). */
  CredentialsUnavailable,
}

/** One row of the table. */
export class FailureKind {
  constructor(
    public readonly status: u32,
    /** The reply's `error` and the response-code details (no spaces: Envoy shows them in access logs). */
    public readonly error: string,
    public readonly level: LogLevel,
    /** Counter name without the `aws_lambda.` prefix and `_total` suffix. */
    public readonly counter: string,
  ) {}
}

// Indexed by Failure; rows in the enum's order.
const TABLE: StaticArray<FailureKind> = [
  new FailureKind(400, "aws_lambda_bad_path", LogLevel.Info, "bad_request"),
  new FailureKind(404, "aws_lambda_bad_path", LogLevel.Info, "bad_request"),
  new FailureKind(400, "aws_lambda_bad_method", LogLevel.Info, "bad_request"),
  new FailureKind(400, "aws_lambda_bad_request", LogLevel.Info, "bad_request"),
  new FailureKind(413, "aws_lambda_body_too_large", LogLevel.Info, "body_too_large"),
  new FailureKind(503, "aws_lambda_not_configured", LogLevel.Error, "not_configured"),
  new FailureKind(500, "aws_lambda_host_fault", LogLevel.Error, "host_fault"),
  new FailureKind(502, "aws_lambda_host_fault", LogLevel.Error, "host_fault"),
  new FailureKind(500, "aws_lambda_callout_refused", LogLevel.Error, "callout_refused"),
  new FailureKind(503, "aws_lambda_callout_failed", LogLevel.Error, "callout_failed"),
  new FailureKind(504, "aws_lambda_callout_timeout", LogLevel.Error, "callout_timeout"),
  new FailureKind(502, "aws_lambda_bad_response", LogLevel.Error, "bad_response"),
  new FailureKind(502, "aws_lambda_function_error", LogLevel.Warn, "function_error"),
  new FailureKind(429, "aws_lambda_throttled", LogLevel.Error, "throttled"),
  new FailureKind(502, "aws_lambda_invoke_refused", LogLevel.Error, "invoke_refused"),
  new FailureKind(502, "aws_lambda_service_error", LogLevel.Error, "lambda_service_error"),
  new FailureKind(413, "aws_lambda_event_too_large", LogLevel.Info, "event_too_large"),
  new FailureKind(404, "aws_lambda_no_such_function", LogLevel.Info, "no_such_function"),
  new FailureKind(502, "aws_lambda_no_such_function", LogLevel.Error, "no_such_function"),
  new FailureKind(503, "aws_lambda_credentials_unavailable", LogLevel.Error, "credentials_unavailable"),
];

/** Number of rows (the Failure kinds). */
export const FAILURE_KINDS: i32 = TABLE.length;

/** The row of `failure`. */
export function failureKind(failure: Failure): FailureKind {
  return unchecked(TABLE[<i32>failure]);
}
