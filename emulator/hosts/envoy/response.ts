// A proxied response on its way back through Envoy's encoder filters to the client (envoy context.cc
// encodeHeaders/encodeData, filter_manager.cc, envoy/http/filter.h):
// - on_response_headers → Continue sends the headers at once; StopIteration holds them — only with
//   allow_on_headers_stop_iteration, else it is StopAllIterationAndWatermark and no body callback comes.
// - on_response_body → Continue sends this piece (after the held headers, which the first body callbacks
//   may still change); StopIterationAndBuffer keeps it and the next callback sees everything buffered
//   (size = all of it); StopIterationNoBuffer drops it. Buffering past the buffer limit: 500, or a reset
//   once the headers went out.
// - a local reply from a response callback replaces the response while nothing went out
//   (sendDirectLocalReply: it bypasses the filters), and resets the stream afterwards.
// The router's own replies (no route, connect failure, timeout) pass through the same callbacks.
import { FilterStatus } from "../../enums.ts";
import { firstValue, removeAll, replaceValue } from "../../header-map.ts";
import type { Downstream } from "../../proxy/downstream.ts";
import type { Pairs } from "../../types.ts";
import { EMPTY, type StreamContext } from "../../vm-state.ts";
import type { Driver } from "../behaviour.ts";
import { routerReplyHeaders, type RouterReply } from "./router.ts";

/** Envoy's per_connection_buffer_limit_bytes default: what a filter may buffer of a body. */
export const DEFAULT_BUFFER_LIMIT = 1024 * 1024;
/** FilterDataStatus as proxy-wasm-cpp-host hands it over (convertVmCallResultToFilterDataStatus). */
enum DataStatus { Continue = 0, StopIterationAndBuffer = 1, StopIterationAndWatermark = 2, StopIterationNoBuffer = 3 }

/** Response headers the connection manager removes before the codec (mutateResponseHeaders). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

export class EnvoyResponse {
  /** Why the response went no further: the real host would hang here. */
  stalled?: string;
  /** The filter chain stopped all iteration on the headers: no body callbacks until a continue. */
  private stoppedAll = false;
  private headersHeld = false;
  /** The response is over for the filter (sent, replaced by a local reply, or reset). */
  done = false;

  constructor(private readonly driver: Driver, private readonly streamId: number, private readonly downstream: Downstream,
    private readonly bufferLimit: number) {}

  private get s(): StreamContext {
    return this.driver.stream(this.streamId);
  }

  /** encodeHeaders: `headers` with `:status` first. */
  headers(headers: Pairs, endOfStream: boolean): void {
    if (this.done) return;
    const result = this.driver.deliverResponseHeaders(this.streamId, headers, endOfStream);
    if (this.replaced()) return;
    if (result === FilterStatus.Continue || result === FilterStatus.ContinueAndEndStream) {
      this.sendHead();
      if (endOfStream) this.end();
      return;
    }
    if (result === FilterStatus.StopIteration && this.driver.options.allowOnHeadersStopIteration) {
      this.headersHeld = true;
      if (endOfStream) this.stall("on_response_headers held a response without body (StopIteration) and nothing continued it");
      return;
    }
    this.stoppedAll = true;
    if (endOfStream) this.stall("on_response_headers stopped all iteration and nothing continued the response");
  }

  /** encodeData: one piece as the upstream codec read it. */
  data(chunk: Buffer, endOfStream: boolean): void {
    if (this.done) return;
    if (this.stoppedAll) {
      if (endOfStream) {
        this.stall(this.driver.options.allowOnHeadersStopIteration
          ? "on_response_headers stopped all iteration and nothing continued the response"
          : "on_response_headers returned StopIteration, which Envoy turns into StopAllIterationAndWatermark (allow_on_headers_stop_iteration is off): no body callback comes");
      }
      return;
    }
    const result = this.driver.deliverResponseBody(this.streamId, chunk, endOfStream);
    if (this.replaced()) return;
    const r = this.s.response!;
    const status: DataStatus = result > DataStatus.StopIterationNoBuffer ? DataStatus.StopIterationNoBuffer : result;
    if (status === DataStatus.Continue) {
      this.sendHead();
      this.downstream.chunk(r.body);
      r.body = EMPTY;
      if (endOfStream) this.end();
      return;
    }
    if (status === DataStatus.StopIterationNoBuffer) {
      r.body = EMPTY;
    } else if (r.body.length > this.bufferLimit) {
      this.tooLarge();
      return;
    }
    if (endOfStream) this.stall(`on_response_body held the end of the response (${DataStatus[status]}) and nothing continued it`);
  }

  /** A reply the router makes itself, through the filter like a response. */
  routerReply(reply: RouterReply): void {
    this.headers(routerReplyHeaders(reply), reply.body.length === 0);
    if (reply.body.length > 0) this.data(Buffer.from(reply.body), true);
  }

  /** The upstream failed after its headers reached the filter chain: the router resets the stream. */
  reset(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.downstream.abort(`stream reset: ${reason}`);
  }

  /** What the client gets for the (possibly rewritten) head, once. */
  private sendHead(): void {
    if (this.downstream.started) return;
    const headers = this.s.response!.headers;
    const status = Number(firstValue(headers, ":status") ?? 0);
    const out: Pairs = headers.filter(([k]) => !k.startsWith(":") && !HOP_BY_HOP.has(k)).map(([k, v]) => [k, v]);
    replaceValue(out, "server", "envoy"); // server_header_transformation OVERWRITE (the default)
    this.downstream.head(status, out);
  }

  private end(): void {
    this.done = true;
    this.downstream.end();
  }

  private stall(reason: string): void {
    this.done = true;
    this.stalled = reason;
  }

  /** Buffered past the limit (ActiveStreamEncoderFilter::responseDataTooLarge). */
  private tooLarge(): void {
    this.done = true;
    if (this.downstream.started) {
      this.downstream.abort("stream reset: the response body buffered by a filter is over the buffer limit");
      return;
    }
    this.sendLocal(500, "Internal Server Error", [], "response_payload_too_large");
  }

  /** A local reply or reset from the callback just run (after its deferred actions): true when the response ended. */
  private replaced(): boolean {
    const s = this.s;
    if (s.reset) {
      this.done = true;
      this.downstream.abort("stream reset by the filter (proxy_close_stream)");
      return true;
    }
    const lr = s.localResponse;
    if (!lr) return false;
    this.done = true;
    if (this.downstream.started) {
      this.downstream.abort(`stream reset: a local reply (${lr.status}) after the response headers went out`);
      return true;
    }
    this.sendLocal(lr.status, lr.body, lr.headers, lr.details);
    return true;
  }

  /** sendDirectLocalReply: straight to the codec, past the encoder filters. */
  private sendLocal(status: number, body: Buffer | string, filterHeaders: Pairs, details: string): void {
    const bytes = Buffer.from(body);
    const headers: Pairs = filterHeaders.filter(([k]) => !k.startsWith(":")).map(([k, v]) => [k.toLowerCase(), v]);
    if (bytes.length > 0) {
      replaceValue(headers, "content-length", String(bytes.length));
      if (!firstValue(headers, "content-type")) headers.push(["content-type", "text/plain"]);
    } else {
      removeAll(headers, "content-length");
      removeAll(headers, "content-type");
    }
    headers.push(["server", "envoy"]);
    this.localDetails = details;
    this.downstream.head(status, headers);
    this.downstream.chunk(bytes);
    this.downstream.end();
  }

  /** The response code details of a local reply that replaced the response. */
  localDetails?: string;
}
