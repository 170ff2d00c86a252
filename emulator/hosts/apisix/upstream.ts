// The request nginx sends to the route's upstream once the access phase is over (APISIX 3.14.1
// apisix/cli/ngx_tpl.lua 829-867, upstream.lua set_upstream_scheme / set_upstream_host; nginx 1.25.3
// ngx_http_proxy_module.c create_request), from the nginx variables and headers the filter left:
// - target: a non-empty $upstream_uri verbatim (path and query, no escaping, r->args not appended); else,
//   after a `:path` write, the escaped r->uri plus `?` and the original args; else the client's target;
// - Host: $upstream_host with pass_host "pass" (default: the client's Host), the node with "node", the
//   route's upstream_host with "rewrite"; scheme and node always the route upstream's ($upstream_scheme is
//   overwritten from it after the plugins); SNI = that Host without its port (proxy_ssl_name);
// - headers: proxy_set_header's (Host, X-Real-IP, X-Forwarded-For/-Proto/-Host/-Port, Content-Length of the
//   buffered body) first, then every client header nginx does not set or drop itself, as the filter left them;
// - body: the client's, as nginx buffered it (set_buffer_bytes is Unimplemented: the filter cannot change it).
import { firstValue } from "../../header-map.ts";
import type { ApisixUpstream, Pairs, UpstreamRequest } from "../../types.ts";
import type { StreamContext } from "../../vm-state.ts";
import type { ResolvedOptions } from "../behaviour.ts";

/** nginx's default proxy_*_timeout. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000;
/** The address nginx reports as $remote_addr for emulated clients. */
const REMOTE_ADDR = "127.0.0.1";
/** APISIX's node_listen port ($server_port). */
const SERVER_PORT = "9080";
/** Names in the proxy header hash: set by proxy_set_header (or nginx's defaults), never passed as the client sent them. */
const SET_BY_NGINX = new Set(["host", "connection", "content-length", "transfer-encoding", "te", "keep-alive", "expect", "upgrade",
  "x-real-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"]);

/** NGX_ESCAPE_URI: what ngx_escape_uri escapes in r->uri (controls, space, '#', '%', '?', non-ASCII). */
function escapeUri(uri: string): string {
  let out = "";
  for (const byte of Buffer.from(uri, "utf8")) {
    const escape = byte <= 0x20 || byte >= 0x7f || byte === 0x23 || byte === 0x25 || byte === 0x3f;
    out += escape ? `%${byte.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

/** A property the filter set (nginx variable), "" when unset. */
function variable(s: StreamContext, name: string): string {
  return s.properties.get(name)?.toString("utf8") ?? "";
}

/** The request target nginx writes (proxy.c 1293-1311, 1418-1442); null when $upstream_uri would break the URL. */
function requestTarget(s: StreamContext): string | null {
  const uri = variable(s, "upstream_uri");
  if (uri !== "") {
    if (uri.startsWith("?")) return `/${uri}`;
    return uri.startsWith("/") ? uri : null; // glued onto "apisix_backend": no such upstream
  }
  if (s.info.rewrittenPath !== undefined) {
    const query = s.info.path.includes("?") ? s.info.path.slice(s.info.path.indexOf("?") + 1) : "";
    return escapeUri(s.info.rewrittenPath) + (query ? `?${query}` : "");
  }
  return s.info.path;
}

/** The Host the upstream gets (upstream.lua set_upstream_host). */
function upstreamHost(s: StreamContext, up: ApisixUpstream): string {
  if (up.passHost === "node") return up.node;
  if (up.passHost === "rewrite") return up.upstreamHost ?? up.node;
  return variable(s, "upstream_host") || firstValue(s.headers, "host") || "";
}

/** What nginx sends for `s`, or why it cannot (a broken $upstream_uri). */
export function apisixUpstreamRequest(s: StreamContext, body: Buffer, opts: ResolvedOptions): { request: UpstreamRequest } | { error: string } {
  const up = opts.upstream!;
  const target = requestTarget(s);
  if (target === null) return { error: `$upstream_uri "${variable(s, "upstream_uri")}" does not start with "/": nginx joins it onto the upstream name` };
  const scheme = up.scheme ?? "http";
  const host = upstreamHost(s, up);
  const clientXff = firstValue(s.headers, "x-forwarded-for");
  const headers: Pairs = [["host", host], ["x-real-ip", REMOTE_ADDR],
    ["x-forwarded-for", clientXff ? `${clientXff}, ${REMOTE_ADDR}` : REMOTE_ADDR],
    ["x-forwarded-proto", firstValue(s.headers, "x-forwarded-proto") ?? s.info.scheme],
    ["x-forwarded-host", firstValue(s.headers, "x-forwarded-host") ?? (firstValue(s.headers, "host") ?? "").replace(/:\d+$/, "")],
    ["x-forwarded-port", firstValue(s.headers, "x-forwarded-port") ?? SERVER_PORT]];
  // $proxy_internal_body_length: r->headers_in.content_length_n (a filter's content-length write sets it).
  const length = firstValue(s.headers, "content-length") ?? (body.length > 0 ? String(body.length) : undefined);
  if (length !== undefined) headers.push(["content-length", length]);
  for (const [name, value] of s.headers) if (!SET_BY_NGINX.has(name)) headers.push([name, value]);
  const url = opts.resolve ? opts.resolve(up.node, scheme) : `${scheme}://${up.node}`;
  if (!url) return { error: `the upstream node "${up.node}" could not be resolved` };
  const sni = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
  return {
    request: { url, method: s.info.method, target, headers, body, ...(scheme === "https" ? { servername: sni } : {}) },
  };
}
