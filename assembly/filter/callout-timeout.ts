// Whether a failed callout ran into its timeout (never repeated: the function may still be running) or
// failed on its own (a reset or refusal, which may be retried).

/** Least slack allowed between the host's timer and the filter's clock when deciding a timeout. */
const TIMEOUT_TOLERANCE_MIN_MS: i64 = 20;

/**
 * Whether a callout that failed after `elapsedMs` ran into its timeout. nginx arms its timers from a clock
 * cached per event-loop turn, so on APISIX a timed-out call can look up to a turn shorter than `timeout`
 * to the filter (measured: a few ms with 15 concurrent calls); a failure within 5 % (at least 20 ms) of the
 * timeout counts as a timeout. Real connection failures come back in a few milliseconds.
 */
export function timedOut(elapsedMs: u64, timeoutMs: i64): bool {
  let tolerance = timeoutMs / 20;
  if (tolerance < TIMEOUT_TOLERANCE_MIN_MS) tolerance = TIMEOUT_TOLERANCE_MIN_MS;
  return <i64>elapsedMs >= timeoutMs - tolerance;
}
