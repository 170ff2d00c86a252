// Streams of one root context waiting to retry an Invoke API call, each with the monotonic millisecond
// it is due. Hosts with ticks (Envoy) call the root back every RETRY_TICK_MS while any wait, and every
// `idlePeriodMs` otherwise (0: not at all).
import { setTickPeriod } from "../abi/host";

/** Granularity of retry backoff on hosts with ticks. */
const RETRY_TICK_MS: u32 = 10;
/** First retry waits this long; each further one twice as long, up to MAX_BACKOFF_MS. */
const BASE_BACKOFF_MS: u64 = 50;
const MAX_BACKOFF_MS: u64 = 1000;

/** How long retry number `attempt` (1, 2, …) waits. */
export function backoffMs(attempt: i32): u64 {
  const delay = BASE_BACKOFF_MS << <u64>(attempt - 1);
  return delay > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : delay;
}

class Waiting {
  constructor(public streamId: u32, public dueMillis: u64) {}
}

export class RetrySchedule {
  private waiting: Array<Waiting> = [];
  /** The tick period when no retry waits: 0, or the credential refresh check's. */
  private idlePeriodMs: u32 = 0;

  /** Sets the tick period kept while no retry waits (applied now if none does); false when the host has no ticks. */
  setIdlePeriod(ms: u32): bool {
    if (ms == this.idlePeriodMs) return true;
    if (this.waiting.length == 0 && !setTickPeriod(ms)) return false;
    this.idlePeriodMs = ms;
    return true;
  }

  /** Schedules a stream's retry; false when the host has no ticks (APISIX) and the caller must retry at once. */
  schedule(streamId: u32, dueMillis: u64): bool {
    if (this.waiting.length == 0 && !setTickPeriod(RETRY_TICK_MS)) return false;
    this.waiting.push(new Waiting(streamId, dueMillis));
    return true;
  }

  /** Removes and returns the streams due at `nowMillis`, in the order they were scheduled. */
  takeDue(nowMillis: u64): Array<u32> {
    const due = new Array<u32>();
    const kept = new Array<Waiting>();
    for (let i = 0; i < this.waiting.length; i++) {
      const entry = this.waiting[i];
      if (entry.dueMillis <= nowMillis) due.push(entry.streamId);
      else kept.push(entry);
    }
    if (kept.length == 0 && this.waiting.length > 0) setTickPeriod(this.idlePeriodMs);
    this.waiting = kept;
    return due;
  }

  /** Forgets a stream's scheduled retry (the stream ended first). */
  cancel(streamId: u32): void {
    for (let i = 0; i < this.waiting.length; i++) {
      if (this.waiting[i].streamId != streamId) continue;
      this.waiting.splice(i, 1);
      if (this.waiting.length == 0) setTickPeriod(this.idlePeriodMs);
      return;
    }
  }
}
