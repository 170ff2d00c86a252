// One whole request as each host drives the filter (Host.request). Envoy: headers, body chunks,
// callouts, replies deferred until the callback returns. APISIX: headers with end_of_stream=1, the
// proxy-wasm.lua loop (callout → response → …), then the whole body only on wasm_process_req_body.
import { randomUUID } from "node:crypto";
import { apisixBaseUrl, apisixTarget, envoyTarget, send, toAnswer } from "./callouts.ts";
import { firstValue, removeAll, replaceValue, toLowerPairs } from "./header-map.ts";
import type { Host } from "./host.ts";
import { FilterStatus } from "./enums.ts";
import type { Callout, CalloutAnswer, Pairs, Reply, RequestOptions, RequestSpec } from "./types.ts";
import { EMPTY, WasmTrap, type ApisixOutcome, type Frame, type StreamContext } from "./vm-state.ts";

/** Runs `req` on `rootId`; a trap becomes the host's failure reply, never a rejection. */
export async function runRequest(host: Host, rootId: number, req: RequestSpec, opts: RequestOptions): Promise<Reply> {
  const root = host.vm.roots.get(rootId);
  if (!root) throw new Error(`request: no root context ${rootId}`);
  if (host.failed) return failedReply(host, 0);
  const run = new RequestRun(host, req, opts);
  try {
    return host.profile === "envoy" ? await run.envoy(rootId) : await run.apisix(rootId);
  } catch (err) {
    if (err instanceof WasmTrap) return failedReply(host, run.streamId);
    throw err;
  }
}

/** The reply to a request once the VM has failed. */
function failedReply(host: Host, streamId: number): Reply {
  if (host.profile === "envoy" && host.options.failOpen) return { status: 0, headers: [], body: EMPTY, streamId, continued: true, details: "fail_open" };
  const details = host.profile === "envoy" ? "wasm_fail_stream" : `wasm VM failed: ${host.trap?.message}`;
  return { status: 503, headers: [], body: EMPTY, streamId, continued: false, details };
}

/**
 * APISIX: ngx_http_wasm_handle_rc_before_proxy then proxy-wasm.lua's loop. A registered callout wins;
 * a local response code ≥ 100 ends the request; 0 continues; 1 without a callout dereferences NULL.
 */
export function apisixAfterCallback(host: Host, s: StreamContext, rc: number, frame: Frame): ApisixOutcome {
  const code = frame.localStatus ?? 0;
  if (s.registeredCallout) {
    const callout = s.registeredCallout;
    s.registeredCallout = undefined; // ngx_http_wasm_call_get takes it
    return { kind: "call", callout };
  }
  if (rc < 0) return { kind: "error", rc };
  if (code >= 100) return { kind: "local", status: code };
  if (rc === 0) return { kind: "continue" };
  if (rc >= 100) return { kind: "local", status: rc };
  const reason = rc === 1
    ? "a callback returned 1 without dispatching an http call: wasm-nginx-module reads it as \"perform the http call\" and dereferences a NULL callout (worker crash)"
    : `a callback returned ${rc}: proxy-wasm.lua's loop neither handles nor leaves it (worker spins forever)`;
  host.markFailed(new Error(`APISIX: ${reason}`), `stream ${s.id}`);
  return { kind: "crash", reason };
}

/** Ticks request() waits through for one request before calling it stalled. */
const MAX_TICKS_PER_REQUEST = 500;

/** The request body as the client sent it, empty chunks dropped. */
function bodyChunks(req: RequestSpec): Buffer[] {
  const chunks = req.chunks ?? (req.body !== undefined ? [req.body] : []);
  return chunks.map((c) => Buffer.from(c)).filter((c) => c.length > 0);
}

class RequestRun {
  streamId = 0;
  private calloutMs?: number;
  private lastCallout?: Callout;
  private readonly chunks: Buffer[];
  private readonly method: string;
  private readonly authority: string;
  private readonly scheme: string;
  private readonly headers: Pairs;

  constructor(private readonly host: Host, private readonly req: RequestSpec, private readonly opts: RequestOptions) {
    this.chunks = bodyChunks(req);
    this.method = req.method ?? (this.chunks.length ? "POST" : "GET");
    this.authority = req.authority ?? "localhost";
    this.scheme = req.scheme ?? "http";
    this.headers = toLowerPairs(req.headers);
  }

  private get s(): StreamContext {
    return this.host.stream(this.streamId);
  }

  private pseudo(): Pairs {
    return [[":method", this.method], [":path", this.req.path], [":authority", this.authority], [":scheme", this.scheme]];
  }

  /** Answers one callout (opts.answer, or real HTTP in "http" mode); false when it must stay pending. */
  private async answer(c: Callout): Promise<boolean> {
    this.lastCallout = c;
    let answer: CalloutAnswer | null;
    const started = performance.now();
    if (this.opts.answer) answer = await this.opts.answer(c);
    else if (this.host.options.callouts === "http") answer = await this.http(c);
    else return false;
    this.calloutMs = (this.calloutMs ?? 0) + (performance.now() - started);
    this.host.callOnHttpCallResponse(c.rootId, c.token, answer);
    return true;
  }

  private async http(c: Callout): Promise<CalloutAnswer | null> {
    const host = this.host;
    const base = host.profile === "envoy" ? host.options.clusters?.[c.upstream] : apisixBaseUrl(c.upstream, c.headers, host.options.resolve);
    if (!base) return null; // refused at dispatch already; kept for type safety
    const target = host.profile === "envoy" ? envoyTarget(c, base) : apisixTarget(c, base);
    return toAnswer(await send(target), host.profile, (m) => host.vm.event(m));
  }

  private reply(fields: Partial<Reply>, keep = false): Reply {
    if (this.streamId !== 0 && !this.opts.keepStream && !keep) this.finish();
    return {
      status: 0, headers: [], body: EMPTY, streamId: this.streamId, continued: false,
      ...(this.lastCallout ? { callout: this.lastCallout } : {}),
      ...(this.calloutMs !== undefined ? { calloutMs: this.calloutMs } : {}),
      ...fields,
    };
  }

  /** Envoy: on_done, on_log, on_delete (skipped on a failed VM); APISIX: on_done, on_delete. */
  private finish(): void {
    if (this.host.failed || this.s.deleted) return;
    this.host.callOnDone(this.streamId);
    if (this.host.profile === "envoy") this.host.callOnLog(this.streamId);
    this.host.callOnDelete(this.streamId);
  }

  private pendingReply(): Reply {
    return this.reply({ stalled: "callout pending (capture mode, no answer function): answer it with callOnHttpCallResponse" }, true);
  }

  // ---- Envoy ----------------------------------------------------------------------------------------

  async envoy(rootId: number): Promise<Reply> {
    const host = this.host;
    if (!host.vm.roots.get(rootId)!.accepted) {
      throw new Error(`request: Envoy rejected root context ${rootId}'s configuration (proxy_on_configure returned false); it keeps serving the previous one`);
    }
    this.streamId = host.newStream(rootId);
    const headers: Pairs = [...this.pseudo(), ...this.headers];
    // The connection manager adds these before any filter runs.
    if (!firstValue(headers, "x-forwarded-proto")) headers.push(["x-forwarded-proto", this.scheme]);
    if (!firstValue(headers, "x-request-id")) headers.push(["x-request-id", randomUUID()]);
    const hasBody = this.chunks.length > 0;
    const headerAction = host.callOnRequestHeaders(this.streamId, headers, !hasBody);
    const headersPaused = headerAction !== FilterStatus.Continue && headerAction !== FilterStatus.ContinueAndEndStream;
    // StopIteration becomes StopAllIterationAndWatermark unless allow_on_headers_stop_iteration.
    let bodyWithheld = hasBody && headersPaused && (headerAction !== FilterStatus.StopIteration || !host.options.allowOnHeadersStopIteration);
    let bodyDone = !hasBody;
    let lastBodyAction: number = FilterStatus.Continue;
    const ended = () => host.failed || !!this.s.localResponse || this.s.reset;
    let ticks = 0;
    for (;;) {
      if (ended()) break;
      if (!bodyDone && !bodyWithheld) {
        for (let i = 0; i < this.chunks.length && !ended(); i++) {
          lastBodyAction = host.callOnRequestBody(this.streamId, this.chunks[i], i === this.chunks.length - 1);
        }
        bodyDone = true;
        continue;
      }
      if (bodyWithheld && this.s.resumed) {
        bodyWithheld = false; // continueDecoding hands the buffered body to the filter
        this.s.resumed = false;
        continue;
      }
      const pending = host.getPendingCallouts().find((c) => c.streamId === this.streamId);
      if (!pending) {
        // A root with a tick period may still act for this stream (e.g. a retry after backoff).
        const period = host.getTickPeriod(rootId);
        if (period === 0 || ++ticks > MAX_TICKS_PER_REQUEST) break;
        await new Promise((r) => setTimeout(r, period));
        host.callOnTick(rootId);
        continue;
      }
      if (!(await this.answer(pending))) return this.pendingReply();
    }
    if (host.failed) return this.reply(failedReply(host, this.streamId));
    const s = this.s;
    if (s.reset) return this.reply({ details: "wasm_close_stream", stalled: "the filter reset the stream (proxy_close_stream)" });
    if (s.localResponse) return this.reply(envoyLocalReply(s));
    const forwarded = s.resumed || (bodyDone && (hasBody ? lastBodyAction === FilterStatus.Continue : !headersPaused));
    if (forwarded) return this.reply({ continued: true, upstreamRequest: { headers: [...s.headers], body: Buffer.concat(this.chunks) } });
    return this.reply({
      stalled: bodyWithheld
        ? "headers returned StopIteration, which Envoy turns into StopAllIterationAndWatermark (allow_on_headers_stop_iteration is off): the body is never delivered and nothing resumed the request"
        : "the filter paused the request and never resumed it or replied",
    });
  }

  // ---- APISIX ---------------------------------------------------------------------------------------

  async apisix(rootId: number): Promise<Reply> {
    const host = this.host;
    const root = host.vm.roots.get(rootId)!;
    if (!root.accepted) {
      // fetch_plugin_ctx retries proxy_on_configure on every request until it succeeds.
      root.accepted = host.startRoot(rootId, root.config);
      if (!root.accepted) return this.reply({ status: 503, details: "failed to fetch wasm plugin ctx" });
    }
    this.streamId = host.newStream(rootId);
    const headers: Pairs = firstValue(this.headers, "host") ? this.headers : [["host", this.authority], ...this.headers];
    host.callOnRequestHeaders(this.streamId, [...this.pseudo(), ...headers], true);
    let outcome = await this.apisixLoop();
    if (outcome?.kind === "continue") {
      const flag = this.s.properties.get("wasm_process_req_body");
      if (flag && flag.length > 0) {
        this.s.properties.set("wasm_process_req_body", EMPTY); // reset for the next wasm plugin
        host.callOnRequestBody(this.streamId, Buffer.concat(this.chunks), true);
        outcome = await this.apisixLoop();
      }
    }
    if (outcome === "pending") return this.pendingReply();
    if (host.failed) {
      if (outcome?.kind === "crash") return this.reply({ stalled: `worker crashed: ${outcome.reason}` });
      return this.reply(failedReply(host, this.streamId));
    }
    const s = this.s;
    switch (outcome?.kind) {
      case "local":
        return this.reply({ status: outcome.status, headers: [...s.replyHeaders], body: s.localResponse?.body ?? EMPTY, details: s.localResponse?.details });
      case "error":
        return this.reply({ status: 503, details: `failed to run wasm plugin (rc ${outcome.rc})` });
      default: {
        const upstream: Pairs = [[":method", s.info.method], [":path", s.info.rewrittenPath ?? s.info.path], [":authority", s.info.authority], [":scheme", s.info.scheme], ...s.headers];
        return this.reply({ continued: true, upstreamRequest: { headers: upstream, body: Buffer.concat(this.chunks) } });
      }
    }
  }

  /** proxy-wasm.lua's `while true` loop: perform each registered callout and deliver its response. */
  private async apisixLoop(): Promise<ApisixOutcome | "pending" | undefined> {
    for (;;) {
      if (this.host.failed) return this.s.apisixOutcome?.kind === "crash" ? this.s.apisixOutcome : undefined;
      const outcome = this.s.apisixOutcome;
      if (outcome?.kind !== "call") return outcome;
      this.s.apisixOutcome = undefined;
      if (!(await this.answer(outcome.callout))) return "pending";
    }
  }
}

/** Envoy's local reply: filter headers (lower-cased), content-length/-type only with a body. */
function envoyLocalReply(s: StreamContext): Partial<Reply> {
  const lr = s.localResponse!;
  const headers: Pairs = lr.headers.map(([k, v]) => [k.toLowerCase(), v]);
  if (lr.body.length > 0) {
    replaceValue(headers, "content-length", String(lr.body.length));
    if (!firstValue(headers, "content-type")) headers.push(["content-type", "text/plain"]);
  } else {
    removeAll(headers, "content-length");
    removeAll(headers, "content-type");
  }
  return { status: lr.status, headers, body: lr.body, details: lr.details };
}
