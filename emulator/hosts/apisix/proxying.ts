// A request the filter let go on, carried by nginx to the route's upstream (upstream.ts), and the response
// back through APISIX's header and body filters (apisix/wasm.lua header_filter_wrapper/body_filter_wrapper,
// proxy-wasm.lua on_http_response_headers/body): proxy_on_response_headers(ctx, 0, 1) once, its result
// ignored, header and `:status` writes applied; proxy_on_response_body per piece only when the header
// callback set $wasm_process_resp_body, its result ignored and the piece never replaced. nginx passes each
// piece of a chunked upstream response on as it arrives (a buffer that holds data is flushed, recycled).
// Upstream failures are nginx's own pages (502, 504), through the same header filter.
import { Downstream } from "../../proxy/downstream.ts";
import { sendUpstream } from "../../proxy/upstream-http.ts";
import type { ClientSink, Pairs, ProxiedExchange, Reply } from "../../types.ts";
import { EMPTY } from "../../vm-state.ts";
import type { Driver } from "../behaviour.ts";
import { errorPage, proxiedClientHeaders, proxiedHeadersOut } from "./replies.ts";
import { apisixUpstreamRequest, DEFAULT_UPSTREAM_TIMEOUT_MS } from "./upstream.ts";

/** The header and body filters of one response. */
class ApisixResponse {
  private bodyCallbacks = false;

  constructor(private readonly driver: Driver, private readonly streamId: number, private readonly downstream: Downstream) {}

  /** The header filter: the filter's callback, then the head goes out as the filter left it. */
  headers(status: number, headersOut: Pairs): void {
    const driver = this.driver;
    const before = driver.stream(this.streamId).replyHeaders.length;
    driver.deliverResponseHeaders(this.streamId, [[":status", String(status)], ...headersOut], true);
    const s = driver.stream(this.streamId);
    // proxy_send_local_response here: its headers are set (header filter), its code and body never sent.
    for (const [k, v] of s.replyHeaders.slice(before)) s.response!.headers.push([k.toLowerCase(), v]);
    const flag = s.properties.get("wasm_process_resp_body");
    if (flag && flag.length > 0) {
      this.bodyCallbacks = true;
      s.properties.set("wasm_process_resp_body", EMPTY); // wasm.lua resets it for the next plugin
    }
    const r = s.response!;
    r.headersAvailable = false;
    this.downstream.head(r.status ?? status, proxiedClientHeaders(r.headers));
  }

  /** The body filter: the piece goes out as it came, whatever the filter did. */
  data(chunk: Buffer, last: boolean): void {
    if (this.bodyCallbacks && !this.driver.failed) this.driver.deliverResponseBody(this.streamId, chunk, last);
    this.downstream.chunk(chunk);
    if (last) this.downstream.end();
  }

  /** nginx's own error page instead of an upstream response. */
  errorPage(status: number): void {
    const page = errorPage(status);
    this.headers(status, page.headers);
    this.data(page.body, true);
  }
}

/** Proxies stream `streamId`'s request to the route's upstream; the Reply fields of what the client received. */
export async function proxyApisix(driver: Driver, streamId: number, body: Buffer, client?: ClientSink): Promise<Partial<Reply>> {
  const opts = driver.options;
  const s = driver.stream(streamId);
  const downstream = new Downstream(client);
  const response = new ApisixResponse(driver, streamId, downstream);
  const exchange: ProxiedExchange = { upstreamStatus: 0, upstreamChunks: [], chunks: downstream.chunks, complete: false };
  const built = apisixUpstreamRequest(s, body, opts);
  if ("error" in built) {
    driver.vm.event(`apisix: ${built.error}`);
    response.errorPage(502);
  } else {
    const request = built.request;
    exchange.request = request;
    const timeout = opts.upstream!.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
    await new Promise<void>((resolve) => {
      sendUpstream(request, {
        headers(status, headers) {
          exchange.upstreamStatus = status;
          response.headers(status, proxiedHeadersOut(headers));
        },
        data(chunk) {
          exchange.upstreamChunks.push({ at: performance.now(), bytes: chunk });
          response.data(chunk, false);
        },
        end() {
          response.data(EMPTY, true); // the last buffer (last_buf), empty
          resolve();
        },
        failed(kind, detail, afterHeaders) {
          driver.vm.event(`apisix: upstream ${kind}: ${detail}`);
          if (afterHeaders) downstream.abort(`nginx closed the connection: upstream ${kind} (${detail})`);
          else response.errorPage(kind === "timeout" ? 504 : 502);
          resolve();
        },
      }, { idleTimeoutMs: timeout, verify: opts.upstream!.tlsVerify ?? false, ...(opts.trustedCa !== undefined ? { ca: opts.trustedCa } : {}) });
    });
  }
  exchange.headersAt = downstream.headersAt;
  exchange.complete = downstream.complete;
  if (downstream.reset) exchange.reset = downstream.reset;
  return {
    status: downstream.status, headers: downstream.headers, body: downstream.body(), continued: true, proxied: exchange,
    upstreamRequest: { headers: exchange.request?.headers ?? [], body },
  };
}
