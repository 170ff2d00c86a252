// What the request flow asks for credentials through. A provider has them at once (keys from the config or
// the environment) or fetches them (instance metadata, the container endpoint, STS) and hands them to
// whoever waits. The signer takes the Credentials value and never learns where it came from.
import { Credentials } from "../sigv4/credentials";

/** Someone waiting for credentials: a request, or an AssumeRole fetch waiting for its base credentials. */
export interface CredentialWaiter {
  /** The credentials are here (maybe before obtain() returned). */
  credentialsReady(credentials: Credentials): void;
  /** None could be had; `cause` says from where and why, without a secret. */
  credentialsFailed(cause: string): void;
}

export abstract class CredentialProvider {
  /** The source, for logs and replies: "instance metadata http://169.254.169.254 (IMDSv2)". */
  abstract describe(): string;

  /**
   * Calls the waiter back with credentials: at once when valid ones are cached, else when a fetch ends. A
   * fetch this starts calls out on root context `rootId` and gives up after `timeoutMs`.
   */
  abstract obtain(waiter: CredentialWaiter, rootId: u32, timeoutMs: i64): void;

  /** Stops calling a waiter back (its request ended first). */
  forget(waiter: CredentialWaiter): void {}

  /** AWS called these credentials expired: drop them, so the next obtain() fetches. */
  invalidate(credentials: Credentials): void {}

  /** Starts a background refresh on `rootId` when one is due (hosts with ticks); false when none ever is. */
  refreshIfDue(nowMillis: i64, rootId: u32, timeoutMs: i64): bool {
    return false;
  }

  /** True when the credentials expire and are fetched again. */
  get rotates(): bool {
    return false;
  }
}

/** Keys that never change: from the config or the VM environment. */
export class FixedProvider extends CredentialProvider {
  constructor(private readonly credentials: Credentials, private readonly source: string) {
    super();
  }

  describe(): string {
    return this.source;
  }

  obtain(waiter: CredentialWaiter, rootId: u32, timeoutMs: i64): void {
    waiter.credentialsReady(this.credentials);
  }
}
