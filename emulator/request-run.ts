// What every host does the same way in a whole request (Host.request): read the caller's request once,
// answer each callout (the caller's `answer`, or real HTTP in "http" mode) and build the Reply. Each
// host's order of callbacks is a subclass in hosts/*/request.ts. Callouts of no stream (Envoy: made while
// the effective context was a root, e.g. a fetch many requests wait for) are answered by whichever run
// or tick takes them first, never twice (VmState.rootCalloutsAnswering).
import { fromCaller } from "./text.ts";
import { callerPairs } from "./header-map.ts";
import type { Callout, CalloutAnswer, ClientSink, Pairs, Reply, RequestOptions, RequestSpec } from "./types.ts";
import type { Driver } from "./hosts/behaviour.ts";
import { EMPTY, WasmTrap, type Answer, type StreamContext } from "./vm-state.ts";

/** Ticks a request waits through before it is called stalled. */
export const MAX_TICKS_PER_REQUEST = 500;

/** A caller's callout answer in the emulator's internal form (text.ts). */
export function callerAnswer(answer: CalloutAnswer | null): Answer | null {
  if (!answer) return null;
  const internal: Answer = { headers: callerPairs(answer.headers) };
  if (answer.body !== undefined) internal.body = answer.body;
  if (answer.trailers) internal.trailers = callerPairs(answer.trailers, false);
  return internal;
}

/** How a callout is answered: the caller's function, or the host's real HTTP request ("http" mode). */
export interface CalloutAnswering {
  opts: RequestOptions;
  perform(c: Callout): Promise<Answer | null>;
}

/** True when `how` can answer callouts at all (capture mode without an answer function cannot). */
export function canAnswer(driver: Driver, how: CalloutAnswering): boolean {
  return !!how.opts.answer || driver.options.callouts === "http";
}

/** A pending callout of no stream that nobody is answering yet. */
export function unclaimedRootCallout(driver: Driver): Callout | undefined {
  return driver.getPendingCallouts().find((c) => c.streamId === 0 && !driver.vm.rootCalloutsAnswering.has(c.token));
}

/** Waits until one of the root callouts others are answering is done; false when there is none. */
export async function othersRootCallouts(driver: Driver): Promise<boolean> {
  const busy = [...driver.vm.rootCalloutsAnswering.values()];
  if (busy.length === 0) return false;
  await Promise.race(busy);
  return true;
}

/**
 * Answers callout `c` and delivers the answer; false (nothing done) when `how` cannot answer. A root
 * callout is claimed before the first await, so no other run answers it too.
 */
export async function answerCallout(driver: Driver, how: CalloutAnswering, c: Callout): Promise<boolean> {
  if (!canAnswer(driver, how)) return false;
  let done = () => {};
  if (c.streamId === 0) driver.vm.rootCalloutsAnswering.set(c.token, new Promise<void>((resolve) => (done = resolve)));
  try {
    const answer = how.opts.answer ? callerAnswer(await how.opts.answer(c)) : await how.perform(c);
    driver.deliverCallResponse(c.rootId, c.token, answer);
  } finally {
    if (c.streamId === 0) {
      driver.vm.rootCalloutsAnswering.delete(c.token);
      done();
    }
  }
  return true;
}

/**
 * Answers every callout of no stream, those they lead to included, until none is pending or being
 * answered elsewhere; returns how many this call answered (Host.tick, Host.answerRootCallouts).
 */
export async function answerRootCallouts(driver: Driver, how: CalloutAnswering): Promise<number> {
  let answered = 0;
  for (;;) {
    if (driver.failed || !canAnswer(driver, how)) return answered;
    const c = unclaimedRootCallout(driver);
    if (c) {
      await answerCallout(driver, how, c);
      answered++;
    } else if (!(await othersRootCallouts(driver))) {
      return answered;
    }
  }
}

export abstract class RequestRun {
  streamId = 0;
  private calloutMs?: number;
  private lastCallout?: Callout;
  /** The body as the client sent it, empty chunks dropped. */
  protected readonly chunks: Buffer[];
  protected readonly method: string;
  protected readonly path: string;
  protected readonly authority: string;
  protected readonly scheme: string;
  /** An HTTP/1.0 request: no Host unless the client's headers have one. */
  protected readonly http10: boolean;
  /** The client's headers, names lower-cased. */
  protected readonly headers: Pairs;

  /** Where a proxied response's client side goes as it happens. */
  protected get client(): ClientSink | undefined {
    return this.opts.client;
  }

  constructor(protected readonly driver: Driver, req: RequestSpec, private readonly opts: RequestOptions) {
    const chunks = req.chunks ?? (req.body !== undefined ? [req.body] : []);
    this.chunks = chunks.map((c) => Buffer.from(c)).filter((c) => c.length > 0);
    this.method = req.method !== undefined ? fromCaller(req.method) : this.chunks.length ? "POST" : "GET";
    this.path = fromCaller(req.path);
    this.authority = req.authority !== undefined ? fromCaller(req.authority) : "localhost";
    this.scheme = req.scheme !== undefined ? fromCaller(req.scheme) : "http";
    this.http10 = req.protocol === "HTTP/1.0";
    this.headers = callerPairs(req.headers);
  }

  /** Runs the request on `rootId`; a failed VM or a trap becomes the host's failure reply, never a rejection. */
  async execute(rootId: number): Promise<Reply> {
    if (this.driver.failed) return this.failedReply(0);
    try {
      return await this.run(rootId);
    } catch (err) {
      if (err instanceof WasmTrap) return this.failedReply(this.streamId);
      throw err;
    }
  }

  /** Runs the request on `rootId` (its configuration accepted or not). */
  protected abstract run(rootId: number): Promise<Reply>;

  /** The reply once the VM has failed. */
  protected abstract failedReply(streamId: number): Reply;

  /** Performs callout `c` for real, as the host would. */
  protected abstract perform(c: Callout): Promise<Answer | null>;

  /** Ends the stream as the host does once the request is over. */
  protected abstract finish(): void;

  protected get s(): StreamContext {
    return this.driver.stream(this.streamId);
  }

  /** The request line as pseudo-headers; `:authority` (the Host) only for HTTP/1.1. */
  protected pseudo(): Pairs {
    const authority: Pairs = this.http10 ? [] : [[":authority", this.authority]];
    return [[":method", this.method], [":path", this.path], ...authority, [":scheme", this.scheme]];
  }

  /** Answers one callout (opts.answer, or real HTTP in "http" mode); false when it must stay pending. */
  protected async answer(c: Callout): Promise<boolean> {
    this.lastCallout = c;
    if (!canAnswer(this.driver, this.answering)) return false;
    const started = performance.now();
    await answerCallout(this.driver, this.answering, c);
    this.calloutMs = (this.calloutMs ?? 0) + (performance.now() - started);
    return true;
  }

  /** This run's way of answering callouts. */
  private get answering(): CalloutAnswering {
    return { opts: this.opts, perform: (c) => this.perform(c) };
  }

  /**
   * The next callout this run should answer: its stream's own, else (when it can answer) one of no
   * stream — a fetch the request may be waiting for; undefined when there is neither.
   */
  protected nextCallout(): Callout | undefined {
    const own = this.driver.getPendingCallouts().find((c) => c.streamId === this.streamId);
    return own ?? (canAnswer(this.driver, this.answering) ? unclaimedRootCallout(this.driver) : undefined);
  }

  /** The Reply, after ending the stream (unless opts.keepStream or `keep`). */
  protected reply(fields: Partial<Reply>, keep = false): Reply {
    if (this.streamId !== 0 && !this.opts.keepStream && !keep) this.finish();
    return {
      status: 0, headers: [], body: EMPTY, streamId: this.streamId, continued: false,
      ...(this.lastCallout ? { callout: this.lastCallout } : {}),
      ...(this.calloutMs !== undefined ? { calloutMs: this.calloutMs } : {}),
      ...fields,
    };
  }

  /** A callout waits in capture mode with no answer function: the stream stays open. */
  protected pendingReply(): Reply {
    return this.reply({ stalled: "callout pending (capture mode, no answer function): answer it with callOnHttpCallResponse" }, true);
  }
}
