// Envoy's router for a request the filter let go on: the route chosen again from the `:authority` the filter
// left (ABI 0.2.1: each request-header write clears the route cache, Context::onHeadersModified → envoy
// PR #36671), the headers the router adds after the filters (router.cc setTimeoutHeaders:
// x-envoy-expected-rq-timeout-ms), and the HTTP/1 request the upstream codec writes (codec_impl.cc: method
// and `:path` verbatim, `:authority` as Host, Content-Length kept, chunked for a body without one,
// `content-length: 0` for a bodiless request of a method that may carry a body). Its own failures are
// local replies (router.cc sendLocalReply: no route 404, no cluster 503, connect failure 503, timeout 504).
import { firstValue } from "../../header-map.ts";
import type { Pairs, UpstreamRequest } from "../../types.ts";
import type { StreamContext } from "../../vm-state.ts";
import type { ResolvedOptions } from "../behaviour.ts";

/** Envoy's default route timeout (RouteAction.timeout): it spans the whole response, body included. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;
/** HeaderUtility::requestShouldHaveNoBody: methods whose bodiless request gets no `content-length: 0`. */
const NO_BODY_METHODS = new Set(["GET", "HEAD", "DELETE", "TRACE", "CONNECT"]);
/** Removed by the connection manager before the filters (mutateRequestHeaders); never sent upstream as given. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te"]);
/** x-envoy-* request headers the router consumes and removes (router.cc decodeHeaders). */
const CONSUMED = new Set(["x-envoy-upstream-alt-stat-name", "x-envoy-upstream-rq-timeout-ms", "x-envoy-upstream-rq-per-try-timeout-ms",
  "x-envoy-hedge-on-per-try-timeout", "x-envoy-upstream-stream-duration-ms", "x-envoy-upstream-rq-timeout-alt-response"]);

/** A reply the router makes itself (it passes through the filters' response callbacks like any response). */
export interface RouterReply {
  status: number;
  body: string;
  details: string;
}

/** A router reply as the encoder filters see it. */
export function routerReplyHeaders(reply: RouterReply): Pairs {
  if (reply.body.length === 0) return [[":status", String(reply.status)]];
  return [[":status", String(reply.status)], ["content-length", String(Buffer.byteLength(reply.body))], ["content-type", "text/plain"]];
}

export const CONNECT_FAILURE: RouterReply = {
  status: 503, details: "upstream_reset_before_response_started{connection_failure}",
  body: "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
};
export const RESET_BEFORE_HEADERS: RouterReply = {
  status: 503, details: "upstream_reset_before_response_started{connection_termination}",
  body: "upstream connect error or disconnect/reset before headers. reset reason: connection termination",
};
export const ROUTE_TIMEOUT: RouterReply = { status: 504, details: "upstream_response_timeout", body: "upstream request timeout" };

/** The route table's virtual host for `authority`: an exact domain (case-insensitive), else "*". */
function virtualHost(routes: Record<string, string>, authority: string): string | undefined {
  const lower = authority.toLowerCase();
  for (const [domain, cluster] of Object.entries(routes)) if (domain.toLowerCase() === lower) return cluster;
  return routes["*"];
}

/** Where the router sends the request the filter left in `s`, or the reply it makes instead. */
export function routeRequest(s: StreamContext, body: Buffer, opts: ResolvedOptions): { request: UpstreamRequest } | { reply: RouterReply } {
  const authority = firstValue(s.headers, ":authority") ?? "";
  const cluster = virtualHost(opts.routes ?? {}, authority);
  if (cluster === undefined) return { reply: { status: 404, body: "", details: "route_not_found" } };
  const url = opts.clusters?.[cluster];
  if (url === undefined) return { reply: { status: 503, body: "", details: "cluster_not_found" } };
  const method = firstValue(s.headers, ":method") ?? "GET";
  const headers: Pairs = [["host", authority]];
  for (const [name, value] of s.headers) {
    if (name.startsWith(":") || name === "host" || HOP_BY_HOP.has(name) || CONSUMED.has(name)) continue;
    headers.push([name, value]);
  }
  if (firstValue(headers, "content-length") === undefined) {
    if (body.length > 0) headers.push(["transfer-encoding", "chunked"]);
    else if (!NO_BODY_METHODS.has(method.toUpperCase())) headers.push(["content-length", "0"]);
  }
  const timeout = routeTimeout(opts);
  if (timeout > 0) headers.push(["x-envoy-expected-rq-timeout-ms", String(timeout)]);
  const host = new URL(url).hostname;
  return {
    request: {
      url, method, target: firstValue(s.headers, ":path") ?? "/", headers, body,
      ...(url.startsWith("https:") ? { servername: host } : {}),
    },
  };
}

/** The route's timeout in ms (0: none). */
export function routeTimeout(opts: ResolvedOptions): number {
  return opts.routeTimeoutMs ?? DEFAULT_ROUTE_TIMEOUT_MS;
}
