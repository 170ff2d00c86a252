// Credentials that are fetched and expire, cached per VM for every root context that uses the same source.
// Refreshed 5 minutes before Expiration (half the lifetime for short-lived ones, less some jitter), the
// way the AWS SDKs do and inside EC2's guarantee that new instance credentials exist 5 minutes before the
// old expire. One fetch at a time where the host can hold a request while it runs (Envoy); on APISIX,
// which cannot, a request with no valid credentials fetches them itself. A failed fetch backs off
// (1 s doubling to 60 s) so a dead endpoint is not hammered; until then requests fail fast.
import { randomU32, realtimeMillis } from "../abi/wasi";
import { LogLevel } from "../abi/types";
import { Credentials } from "../sigv4/credentials";
import { logLine } from "../filter/replies";
import { countCredentialFailure, countCredentialRefresh, recordCredentialExpiry } from "../filter/metrics";
import { Attempt, AttemptOwner } from "./attempt";
import { FetchedKeys } from "./documents";
import { CredentialProvider, CredentialWaiter } from "./provider";

/** Credentials closer than this to Expiration are not used to sign (the request could outlive them). */
const EXPIRY_MARGIN_MS: i64 = 5000;
const REFRESH_WINDOW_MS: i64 = 300_000;
const MAX_JITTER_MS: i64 = 30_000;
const FIRST_BACKOFF_MS: i64 = 1000;
const MAX_BACKOFF_MS: i64 = 60_000;
/** A provider neither asked for credentials nor ticked for this long serves no config any more: not reported. */
const REPORT_IDLE_MS: i64 = 10_000;

export abstract class FetchedProvider extends CredentialProvider implements AttemptOwner {
  /** Every fetched provider of the VM: one expiry gauge reports the soonest among those in use. */
  private static all: Array<FetchedProvider> = [];
  private current: Credentials | null = null;
  private expirationMillis: i64 = 0;
  private refreshAtMillis: i64 = 0;
  /** The attempt under way, for waiters to join (hosts that can hold a request). */
  private running: Attempt | null = null;
  private failedUntilMillis: i64 = 0;
  private backoffMs: i64 = FIRST_BACKOFF_MS;
  private lastCause: string = "";
  private lastUsedMillis: i64 = 0;

  constructor(
    /** Whether requests can wait for another's fetch (the host can hold a request without a callout). */
    private readonly canWait: bool,
  ) {
    super();
    FetchedProvider.all.push(this);
  }

  /**
   * Sets the expiry gauge to the soonest expiry of the credentials held by providers in use: one VM may sign
   * for several configs (and fetch base credentials for STS), and an alert must see the first to lapse.
   */
  private static reportExpiry(nowMillis: i64): void {
    let soonest = i64.MAX_VALUE;
    const all = FetchedProvider.all;
    for (let i = 0; i < all.length; i++) {
      const p = all[i];
      if (p.current != null && nowMillis - p.lastUsedMillis < REPORT_IDLE_MS && p.expirationMillis < soonest) soonest = p.expirationMillis;
    }
    if (soonest != i64.MAX_VALUE) recordCredentialExpiry((soonest - nowMillis) / 1000);
  }

  /** A new attempt at fetching, with callouts on `rootId`. */
  protected abstract newAttempt(rootId: u32, timeoutMs: i64): Attempt;

  get rotates(): bool {
    return true;
  }

  private valid(nowMillis: i64): bool {
    return this.current != null && nowMillis < this.expirationMillis - EXPIRY_MARGIN_MS;
  }

  /** An attempt under way that has not outrun its deadline; an overdue one is given up. */
  private underWay(): Attempt | null {
    const running = this.running;
    if (running == null || !running.overdue) return running;
    this.running = null;
    running.fail("the fetch did not finish within " + running.timeoutMs.toString() + " ms");
    return null;
  }

  obtain(waiter: CredentialWaiter, rootId: u32, timeoutMs: i64): void {
    const now = realtimeMillis();
    this.lastUsedMillis = now;
    const running = this.underWay();
    if (this.valid(now)) {
      if (now >= this.refreshAtMillis && running == null && now >= this.failedUntilMillis) {
        if (this.canWait) {
          // Refresh in the background; this request signs with the credentials that are still good.
          this.begin(rootId, timeoutMs);
        } else {
          // APISIX calls out only inside a request: this one refreshes before it goes on.
          this.begin(rootId, timeoutMs, waiter);
          return;
        }
      }
      waiter.credentialsReady(this.current!);
      return;
    }
    if (now < this.failedUntilMillis) {
      waiter.credentialsFailed(this.lastCause + " (next attempt in " + ((this.failedUntilMillis - now + 999) / 1000).toString() + " s)");
      return;
    }
    if (running != null && this.canWait) {
      running.waiters.push(waiter);
      return;
    }
    this.begin(rootId, timeoutMs, waiter);
  }

  private begin(rootId: u32, timeoutMs: i64, waiter: CredentialWaiter | null = null): void {
    const attempt = this.newAttempt(rootId, timeoutMs);
    if (waiter != null) attempt.waiters.push(waiter);
    if (this.running == null) this.running = attempt;
    attempt.start();
  }

  forget(waiter: CredentialWaiter): void {
    const running = this.running;
    if (running == null) return;
    const index = running.waiters.indexOf(waiter);
    if (index >= 0) running.waiters.splice(index, 1);
  }

  invalidate(credentials: Credentials): void {
    const current = this.current;
    if (current != null && current.accessKeyId == credentials.accessKeyId && current.sessionToken == credentials.sessionToken) {
      this.current = null;
      this.failedUntilMillis = 0;
    }
  }

  refreshIfDue(nowMillis: i64, rootId: u32, timeoutMs: i64): bool {
    this.lastUsedMillis = nowMillis;
    const running = this.underWay();
    if (running == null && nowMillis >= this.refreshAtMillis && nowMillis >= this.failedUntilMillis && this.current != null) {
      this.begin(rootId, timeoutMs);
    }
    FetchedProvider.reportExpiry(nowMillis);
    return true;
  }

  settled(attempt: Attempt, keys: FetchedKeys): void {
    if (this.running === attempt) this.running = null;
    const now = realtimeMillis();
    if (keys.error.length == 0) {
      this.current = keys.credentials;
      this.expirationMillis = keys.expirationMillis;
      this.refreshAtMillis = refreshTime(now, keys.expirationMillis);
      this.failedUntilMillis = 0;
      this.backoffMs = FIRST_BACKOFF_MS;
      countCredentialRefresh();
      FetchedProvider.reportExpiry(now);
      for (let i = 0; i < attempt.waiters.length; i++) attempt.waiters[i].credentialsReady(keys.credentials);
      return;
    }
    this.lastCause = this.describe() + ": " + keys.error;
    this.failedUntilMillis = now + this.backoffMs;
    this.backoffMs = this.backoffMs * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : this.backoffMs * 2;
    countCredentialFailure();
    if (attempt.waiters.length == 0) {
      // A background refresh: no request will say it, so the log does.
      logLine(LogLevel.Error, "refreshing credentials from " + this.lastCause + "; the current ones stay in use until "
        + "they expire");
    }
    // Requests that waited on a refresh still sign with credentials that are good.
    const current = this.valid(now) ? this.current : null;
    for (let i = 0; i < attempt.waiters.length; i++) {
      if (current != null) attempt.waiters[i].credentialsReady(current);
      else attempt.waiters[i].credentialsFailed(this.lastCause);
    }
  }
}

/** When to refresh credentials fetched at `now` that expire at `expiration`. */
export function refreshTime(now: i64, expiration: i64): i64 {
  const lifetime = expiration - now;
  let window = lifetime / 2;
  if (window > REFRESH_WINDOW_MS) window = REFRESH_WINDOW_MS;
  let jitterRange = lifetime / 10;
  if (jitterRange > MAX_JITTER_MS) jitterRange = MAX_JITTER_MS;
  const jitter = jitterRange > 0 ? <i64>(randomU32() % <u32>jitterRange) : 0;
  return expiration - window - jitter;
}
