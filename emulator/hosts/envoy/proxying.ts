// A request the filter let go on, carried by Envoy: routed (router.ts), sent over real HTTP, its response
// through the filter's response callbacks to the client (response.ts), as it streams.
import { firstValue } from "../../header-map.ts";
import { Downstream } from "../../proxy/downstream.ts";
import { sendUpstream } from "../../proxy/upstream-http.ts";
import type { ClientSink, Pairs, ProxiedExchange, Reply } from "../../types.ts";
import { EMPTY } from "../../vm-state.ts";
import type { Driver } from "../behaviour.ts";
import { DEFAULT_BUFFER_LIMIT, EnvoyResponse } from "./response.ts";
import { CONNECT_FAILURE, RESET_BEFORE_HEADERS, ROUTE_TIMEOUT, routeRequest, routeTimeout } from "./router.ts";

/** Statuses that never carry a body (the codec ends the stream with the headers). */
const BODILESS = new Set([204, 304]);

/** Proxies stream `streamId`'s request as the filter left it; the Reply fields of what the client received. */
export async function proxyEnvoy(driver: Driver, streamId: number, client?: ClientSink): Promise<Partial<Reply>> {
  const opts = driver.options;
  const s = driver.stream(streamId);
  // What continueDecoding hands the router: the chunks the filter continued, then anything still buffered.
  const body = Buffer.concat([...s.sentBody, ...(s.bufferingBody ? [s.body] : [])]);
  const routed = routeRequest(s, body, opts);
  s.headersAvailable = false;
  const downstream = new Downstream(client);
  const response = new EnvoyResponse(driver, streamId, downstream, opts.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT);
  const exchange: ProxiedExchange = { upstreamStatus: 0, upstreamChunks: [], chunks: downstream.chunks, complete: false };
  let details: string | undefined;
  if ("reply" in routed) {
    details = routed.reply.details;
    response.routerReply(routed.reply);
  } else {
    const request = routed.request;
    exchange.request = request;
    const method = request.method.toUpperCase();
    await new Promise<void>((resolve) => {
      const started = performance.now();
      const abandon = sendUpstream(request, {
        headers(status, headers) {
          exchange.upstreamStatus = status;
          // The router adds its timing header before the encoder filters run.
          const map: Pairs = [[":status", String(status)], ...headers, ["x-envoy-upstream-service-time", String(Math.round(performance.now() - started))]];
          const noBody = BODILESS.has(status) || method === "HEAD" || firstValue(headers, "content-length") === "0";
          response.headers(map, noBody);
          if (response.done) { abandon(); resolve(); }
        },
        data(chunk) {
          exchange.upstreamChunks.push({ at: performance.now(), bytes: chunk });
          response.data(chunk, false);
          if (response.done) { abandon(); resolve(); }
        },
        end() {
          response.data(EMPTY, true); // the codec's last data frame: end_stream with no bytes
          resolve();
        },
        failed(kind, detail, afterHeaders) {
          driver.vm.event(`envoy: upstream ${kind}: ${detail}`);
          if (afterHeaders) {
            response.reset(`upstream ${kind}: ${detail}`);
          } else {
            const reply = kind === "timeout" ? ROUTE_TIMEOUT : kind === "connect-failure" ? CONNECT_FAILURE : RESET_BEFORE_HEADERS;
            details = reply.details;
            response.routerReply(reply);
          }
          resolve();
        },
      }, { totalTimeoutMs: routeTimeout(opts), verify: true, ...(opts.trustedCa !== undefined ? { ca: opts.trustedCa } : {}) });
    });
  }
  exchange.headersAt = downstream.headersAt;
  exchange.complete = downstream.complete;
  if (downstream.reset) exchange.reset = downstream.reset;
  const stalled = response.stalled ?? (downstream.finished ? undefined : "the response never completed");
  if (stalled && !exchange.reset) exchange.reset = stalled;
  return {
    status: downstream.status, headers: downstream.headers, body: downstream.body(), continued: true, proxied: exchange,
    upstreamRequest: { headers: exchange.request?.headers ?? [], body },
    ...(response.localDetails ?? details ? { details: response.localDetails ?? details } : {}),
    ...(stalled ? { stalled } : {}),
  };
}
