// One try at fetching credentials: a short sequence of callouts (instance metadata takes three), each
// answer handled by the step that asked, within one deadline. Callouts go out on the root context, so a
// client that leaves does not cancel a fetch others wait for; answers come back through `answerArrived`.
import { httpCall, setEffectiveContext } from "../abi/host";
import { WasmResult, resultName } from "../abi/types";
import { monotonicNanos } from "../abi/wasi";
import { Endpoint } from "../config/credential-source";
import { Header } from "../http/header";
import { OutgoingRequest } from "../http/outgoing-request";
import { countCallout } from "../filter/metrics";
import { FetchedKeys } from "./documents";
import { CredentialWaiter } from "./provider";

/** Hears how an attempt ended: credentials, or `keys.error`. */
export interface AttemptOwner {
  settled(attempt: Attempt, keys: FetchedKeys): void;
}

/** What a credential callout came back with. */
export class CredentialAnswer {
  /** 0 when there was no response (refused connection, TLS, timeout). */
  status: u32 = 0;
  body: ArrayBuffer = new ArrayBuffer(0);
  /** Why the answer could not be read, "" when it could. */
  problem: string = "";
}

/** Attempts by callout token, VM-wide: callout tokens are unique per VM on both hosts. */
const byToken = new Map<u32, Attempt>();

/** The attempt waiting for callout `token`, taken off the table; null when it is not a credential callout. */
export function attemptFor(token: u32): Attempt | null {
  if (!byToken.has(token)) return null;
  const attempt = byToken.get(token);
  byToken.delete(token);
  return attempt;
}

export abstract class Attempt {
  readonly waiters: Array<CredentialWaiter> = [];
  /** Set once the attempt settled or was given up: later answers change nothing. */
  finished: bool = false;
  private readonly deadlineNanos: u64;
  /** When the last callout went out, and the timeout it was given. */
  private calloutStartNanos: u64 = 0;
  private calloutTimeoutMs: u32 = 0;

  constructor(
    protected readonly owner: AttemptOwner,
    /** The root context the callouts go out on. */
    public readonly rootId: u32,
    public readonly timeoutMs: i64,
  ) {
    this.deadlineNanos = monotonicNanos() + <u64>timeoutMs * 1_000_000;
  }

  /** Starts the first step. */
  abstract start(): void;

  /** Handles the answer to the callout this attempt dispatched last. */
  abstract answered(answer: CredentialAnswer): void;

  /** Ends with credentials (or the error `keys` carries). */
  protected settle(keys: FetchedKeys): void {
    if (this.finished) return;
    this.finished = true;
    this.owner.settled(this, keys);
  }

  /** Ends without credentials; `cause` names what went wrong, never a secret. */
  fail(cause: string): void {
    const keys = new FetchedKeys();
    keys.error = cause;
    this.settle(keys);
  }

  /** True once the deadline passed (an answer that never came, e.g. a cancelled callout). */
  get overdue(): bool {
    return monotonicNanos() > this.deadlineNanos;
  }

  /**
   * True when the last callout ended with no answer after (about) its timeout, rather than at once (a
   * refused connection). Hosts' timers are coarse (nginx's cached clock), so 90 % of it counts.
   */
  get lastCalloutTimedOut(): bool {
    const elapsed = monotonicNanos() - this.calloutStartNanos;
    return elapsed >= <u64>this.calloutTimeoutMs * 900_000;
  }

  /** Milliseconds left until the deadline (at least 1). */
  protected remainingMs(): u32 {
    const now = monotonicNanos();
    if (now >= this.deadlineNanos) return 1;
    const left = (this.deadlineNanos - now) / 1_000_000;
    return left < 1 ? 1 : <u32>left;
  }

  /** Sends one request to `endpoint`; a refusal by the host fails the attempt. */
  protected call(endpoint: Endpoint, request: OutgoingRequest, extra: Array<Header>): void {
    setEffectiveContext(this.rootId);
    this.calloutTimeoutMs = this.remainingMs();
    this.calloutStartNanos = monotonicNanos();
    const dispatch = httpCall(endpoint.upstream, request.wireHeaders(extra), request.body, this.calloutTimeoutMs);
    if (dispatch.result != WasmResult.Ok) {
      this.fail("the host refused the callout to \"" + endpoint.upstream + "\" (" + resultName(dispatch.result) + ")");
      return;
    }
    countCallout();
    byToken.set(dispatch.token, this);
  }
}

/** A GET (or PUT) to `path` of `endpoint`, with the endpoint's host as authority. */
export function endpointRequest(endpoint: Endpoint, method: string, path: string): OutgoingRequest {
  const request = new OutgoingRequest();
  request.method = method;
  request.path = path;
  request.authority = endpoint.uri.authority;
  request.scheme = endpoint.uri.scheme;
  return request;
}
