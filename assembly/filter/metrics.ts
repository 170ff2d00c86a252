// The filter's metrics, defined once per VM through the proxy-wasm metrics API (both hosts implement it).
// Names are stable: dashboards and alerts depend on them (README, "Metrics").
import { defineMetric, incrementMetric, recordMetric } from "../abi/host";
import { MetricType } from "../abi/types";

/** Failure kinds, each with its own counter. */
export enum Failure {
  ConfigRefused,
  BadRequest,
  BodyTooLarge,
  NotConfigured,
  CalloutRefused,
  CalloutFailed,
  CalloutTimeout,
  BadResponse,
  FunctionError,
  Throttled,
  InvokeRefused,
  LambdaServiceError,
  EventTooLarge,
  NoSuchFunction,
  HostFault,
}

const FAILURE_NAMES: Array<string> = [
  "config_refused", "bad_request", "body_too_large", "not_configured",
  "callout_refused", "callout_failed", "callout_timeout", "bad_response",
  "function_error", "throttled", "invoke_refused", "lambda_service_error", "event_too_large", "no_such_function",
  "host_fault",
];

class Metrics {
  requests: i64 = defineMetric(MetricType.Counter, "aws_lambda.requests_total");
  callouts: i64 = defineMetric(MetricType.Counter, "aws_lambda.callouts_total");
  replies: Array<i64> = [
    defineMetric(MetricType.Counter, "aws_lambda.replies_1xx_total"),
    defineMetric(MetricType.Counter, "aws_lambda.replies_2xx_total"),
    defineMetric(MetricType.Counter, "aws_lambda.replies_3xx_total"),
    defineMetric(MetricType.Counter, "aws_lambda.replies_4xx_total"),
    defineMetric(MetricType.Counter, "aws_lambda.replies_5xx_total"),
  ];
  failures: Array<i64> = [];
  calloutDuration: i64 = defineMetric(MetricType.Histogram, "aws_lambda.callout_duration_ms");
  retries: i64 = defineMetric(MetricType.Counter, "aws_lambda.retries_total");
  /** Invocations per weighted qualifier, defined on first use. */
  qualifierNames: Array<string> = [];
  qualifierIds: Array<i64> = [];

  constructor() {
    for (let i = 0; i < FAILURE_NAMES.length; i++) {
      this.failures.push(defineMetric(MetricType.Counter, "aws_lambda." + unchecked(FAILURE_NAMES[i]) + "_total"));
    }
  }
}

let metrics: Metrics | null = null;

function get(): Metrics {
  let current = metrics;
  if (current == null) {
    current = new Metrics();
    metrics = current;
  }
  return current;
}

export function countRequest(): void { incrementMetric(get().requests, 1); }
export function countCallout(): void { incrementMetric(get().callouts, 1); }
export function countFailure(kind: Failure): void { incrementMetric(get().failures[<i32>kind], 1); }

/** Counts a reply by status class (1xx … 5xx). */
export function countReply(status: u32): void {
  const index = <i32>(status / 100) - 1;
  if (index >= 0 && index < 5) incrementMetric(get().replies[index], 1);
}

export function countRetry(): void { incrementMetric(get().retries, 1); }

/** Counts an invocation routed to `qualifier` by weight (aws_lambda.qualifier.<name>.invocations_total). */
export function countQualifier(qualifier: string): void {
  const m = get();
  let index = m.qualifierNames.indexOf(qualifier);
  if (index < 0) {
    m.qualifierNames.push(qualifier);
    m.qualifierIds.push(defineMetric(MetricType.Counter, "aws_lambda.qualifier." + qualifier + ".invocations_total"));
    index = m.qualifierNames.length - 1;
  }
  incrementMetric(m.qualifierIds[index], 1);
}

export function recordCalloutDuration(millis: u64): void { recordMetric(get().calloutDuration, millis); }
