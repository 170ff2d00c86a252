// One whole request as Envoy drives the filter: headers (end_of_stream only without a body), body
// chunks while the filter buffers, callouts answered on the root context (the stream's own, and those
// made on a root, which no other run answers yet), local replies sent after the callback returns, ticks
// while a root asks for them; then on_log, on_done, on_delete. HTTP/1.0 is refused by the codec before any
// filter.
import { randomUUID } from "node:crypto";
import { FilterStatus } from "../../enums.ts";
import { firstValue, removeAll, replaceValue } from "../../header-map.ts";
import { MAX_TICKS_PER_REQUEST, othersRootCallouts, RequestRun } from "../../request-run.ts";
import { forCaller } from "../../text.ts";
import type { Callout, Pairs, Reply } from "../../types.ts";
import { EMPTY, type Answer, type StreamContext } from "../../vm-state.ts";
import { performEnvoyCallout } from "./callouts.ts";
import { proxyEnvoy } from "./proxying.ts";

export class EnvoyRequest extends RequestRun {
  protected async run(rootId: number): Promise<Reply> {
    const driver = this.driver;
    if (!driver.vm.roots.get(rootId)!.accepted) {
      throw new Error(`request: Envoy rejected root context ${rootId}'s configuration (proxy_on_configure returned false); it keeps serving the previous one`);
    }
    // ServerConnectionImpl::checkProtocolVersion (http1/codec_impl.cc): accept_http_10 is off by default.
    if (this.http10) return this.reply({ status: 426, details: "low_version" });
    this.streamId = driver.newStream(rootId);
    const headers: Pairs = [...this.pseudo(), ...this.headers];
    // The connection manager adds these before any filter runs.
    if (!firstValue(headers, "x-forwarded-proto")) headers.push(["x-forwarded-proto", this.scheme]);
    if (!firstValue(headers, "x-request-id")) headers.push(["x-request-id", randomUUID()]);
    const hasBody = this.chunks.length > 0;
    const headerStatus = driver.deliverRequestHeaders(this.streamId, headers, !hasBody);
    const headersPaused = headerStatus !== FilterStatus.Continue && headerStatus !== FilterStatus.ContinueAndEndStream;
    // StopIteration becomes StopAllIterationAndWatermark unless allow_on_headers_stop_iteration.
    let bodyWithheld = hasBody && headersPaused && (headerStatus !== FilterStatus.StopIteration || !driver.options.allowOnHeadersStopIteration);
    let bodyDone = !hasBody;
    let lastBodyStatus: number = FilterStatus.Continue;
    const ended = () => driver.failed || !!this.s.localResponse || this.s.reset;
    let ticks = 0;
    for (;;) {
      if (ended()) break;
      if (!bodyDone && !bodyWithheld) {
        for (let i = 0; i < this.chunks.length && !ended(); i++) {
          lastBodyStatus = driver.callOnRequestBody(this.streamId, this.chunks[i], i === this.chunks.length - 1);
        }
        bodyDone = true;
        continue;
      }
      if (bodyWithheld && this.s.resumed) {
        bodyWithheld = false; // continueDecoding hands the buffered body to the filter
        this.s.resumed = false;
        continue;
      }
      // The filter let the request go on (Continue, or continue_stream once the body was in): the router has it.
      if (bodyDone && (this.s.resumed || (hasBody ? lastBodyStatus === FilterStatus.Continue : !headersPaused))) break;
      // Its own callout, else one made on a root context (a credential fetch this stream may wait for).
      const pending = this.nextCallout();
      if (!pending) {
        // Root callouts another run is answering may be what this stream waits for.
        if (await othersRootCallouts(driver)) continue;
        // A root with a tick period may still act for this stream (e.g. a retry after backoff).
        const period = driver.getTickPeriod(rootId);
        if (period === 0 || ++ticks > MAX_TICKS_PER_REQUEST) break;
        await new Promise((r) => setTimeout(r, period));
        driver.callOnTick(rootId);
        continue;
      }
      if (!(await this.answer(pending))) return this.pendingReply();
    }
    if (driver.failed) return this.reply(this.failedReply(this.streamId));
    const s = this.s;
    if (s.reset) return this.reply({ details: "wasm_close_stream", stalled: "the filter reset the stream (proxy_close_stream)" });
    if (s.localResponse) return this.reply(localReply(s));
    const forwarded = s.resumed || (bodyDone && (hasBody ? lastBodyStatus === FilterStatus.Continue : !headersPaused));
    if (forwarded && driver.options.routes) return this.reply(await proxyEnvoy(driver, this.streamId, this.client));
    if (forwarded) {
      const upstream: Pairs = s.headers.map(([k, v]) => [forCaller(k), forCaller(v)]);
      return this.reply({ continued: true, upstreamRequest: { headers: upstream, body: Buffer.concat(this.chunks) } });
    }
    return this.reply({
      stalled: bodyWithheld
        ? "headers returned StopIteration, which Envoy turns into StopAllIterationAndWatermark (allow_on_headers_stop_iteration is off): the body is never delivered and nothing resumed the request"
        : "the filter paused the request and never resumed it or replied",
    });
  }

  protected failedReply(streamId: number): Reply {
    return envoyFailedReply(this.driver.options.failOpen, streamId);
  }

  protected perform(c: Callout): Promise<Answer | null> {
    return performEnvoyCallout(c, this.driver.options, (m) => this.driver.vm.event(m));
  }

  /**
   * on_log, on_done, on_delete (skipped on a failed VM): the connection manager logs the stream
   * (filter_manager_.log → Context::log → onLog) before it destroys the filters (onDestroy → onDone, onDelete).
   */
  protected finish(): void {
    if (this.driver.failed || this.s.deleted) return;
    this.driver.callOnLog(this.streamId);
    this.driver.callOnDone(this.streamId);
    this.driver.callOnDelete(this.streamId);
  }
}

/** The reply once the VM has failed: 503 "wasm_fail_stream", or past the filter with fail_open. */
function envoyFailedReply(failOpen: boolean | undefined, streamId: number): Reply {
  if (failOpen) return { status: 0, headers: [], body: EMPTY, streamId, continued: true, details: "fail_open" };
  return { status: 503, headers: [], body: EMPTY, streamId, continued: false, details: "wasm_fail_stream" };
}

/** Envoy's local reply: filter headers (lower-cased), content-length/-type only with a body. */
function localReply(s: StreamContext): Partial<Reply> {
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
