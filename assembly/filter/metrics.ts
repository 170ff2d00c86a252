// The filter's metrics, defined once per VM through the proxy-wasm metrics API (both hosts link it).
// Names are stable: dashboards and alerts depend on them (README, "Metrics"). Every counter is defined
// up front, so each shows from the start, at 0.
import { defineMetric, incrementMetric, recordMetric } from "../abi/host";
import { MetricType } from "../abi/types";
import { Failure, FAILURE_KINDS, failureKind } from "./failures";

function counter(name: string): i64 {
  return defineMetric(MetricType.Counter, "aws_lambda." + name + "_total");
}

class Metrics {
  requests: i64 = counter("requests");
  callouts: i64 = counter("callouts");
  replies: StaticArray<i64> = [counter("replies_1xx"), counter("replies_2xx"), counter("replies_3xx"),
    counter("replies_4xx"), counter("replies_5xx")];
  configRefused: i64 = counter("config_refused");
  /** Counter id per Failure (rows that share a counter share its id). */
  failures: StaticArray<i64> = new StaticArray<i64>(FAILURE_KINDS);
  calloutDuration: i64 = defineMetric(MetricType.Histogram, "aws_lambda.callout_duration_ms");
  retries: i64 = counter("retries");
  credentialRefreshes: i64 = counter("credentials_refreshes");
  credentialFailures: i64 = counter("credentials_refresh_failures");
  credentialExpiry: i64 = defineMetric(MetricType.Gauge, "aws_lambda.credentials_expiry_seconds");
  /** Invocations per weighted qualifier, defined on first use. */
  qualifiers: Map<string, i64> = new Map();

  constructor() {
    const byName = new Map<string, i64>();
    for (let i = 0; i < FAILURE_KINDS; i++) {
      const name = failureKind(<Failure>i).counter;
      if (!byName.has(name)) byName.set(name, counter(name));
      this.failures[i] = byName.get(name);
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
export function countRetry(): void { incrementMetric(get().retries, 1); }
export function countConfigRefused(): void { incrementMetric(get().configRefused, 1); }
export function countFailure(failure: Failure): void { incrementMetric(get().failures[<i32>failure], 1); }

/** Counts a reply by status class (1xx … 5xx). */
export function countReply(status: u32): void {
  const index = <i32>(status / 100) - 1;
  if (index >= 0 && index < 5) incrementMetric(get().replies[index], 1);
}

/** Counts an invocation routed to `qualifier` by weight (aws_lambda.qualifier.<name>.invocations_total). */
export function countQualifier(qualifier: string): void {
  const m = get();
  if (!m.qualifiers.has(qualifier)) {
    m.qualifiers.set(qualifier, defineMetric(MetricType.Counter, "aws_lambda.qualifier." + qualifier + ".invocations_total"));
  }
  incrementMetric(m.qualifiers.get(qualifier), 1);
}

/** Credentials fetched (instance metadata, container endpoint, STS). */
export function countCredentialRefresh(): void { incrementMetric(get().credentialRefreshes, 1); }
/** A fetch of credentials that failed. */
export function countCredentialFailure(): void { incrementMetric(get().credentialFailures, 1); }
/** Seconds until the newest fetched credentials expire. */
export function recordCredentialExpiry(seconds: i64): void { recordMetric(get().credentialExpiry, <u64>(seconds < 0 ? 0 : seconds)); }

export function recordCalloutDuration(millis: u64): void { recordMetric(get().calloutDuration, millis); }
