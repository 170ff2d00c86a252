// What nginx and APISIX make of a response on its way to the client: a local reply gets a Content-Type
// (`default_type text/plain`) and APISIX's `charset utf-8` on text types, chunked framing and APISIX's
// Server header; the host's own errors are nginx's HTML error pages.
import { firstValue, removeAll } from "../../header-map.ts";
import type { Pairs } from "../../types.ts";

/** ngx_http_charset_filter_module's default charset_types: the types `charset utf-8` is appended to. */
const CHARSET_TYPES = new Set(["text/html", "text/xml", "text/plain", "text/vnd.wap.wml", "application/javascript", "application/rss+xml"]);
/** APISIX's header filter sets Server when enable_server_tokens (default true); the release read here. */
export const APISIX_SERVER = "APISIX/3.14.1";
const REASONS: Record<number, string> = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" };

/** The headers a local reply reaches the client with. */
export function localReplyHeaders(filterHeaders: Pairs): Pairs {
  const headers: Pairs = filterHeaders.map(([k, v]) => [k, v]);
  const type = firstValue(headers, "content-type");
  removeAll(headers, "content-type");
  headers.push(["content-type", withCharset(type ?? "text/plain")]);
  if (firstValue(headers, "content-length") === undefined) headers.push(["transfer-encoding", "chunked"]);
  removeAll(headers, "server");
  headers.push(["server", APISIX_SERVER]);
  return headers;
}

/** `type` with "; charset=utf-8" appended when it is a charset type without a charset. */
export function withCharset(type: string): string {
  const media = type.split(";")[0].trim().toLowerCase();
  if (!CHARSET_TYPES.has(media) || /;\s*charset=/i.test(type)) return type;
  return `${type}; charset=utf-8`;
}

/** nginx's special response page for `status` (ngx_http_special_response.c; server_tokens off). */
export function errorPage(status: number): { headers: Pairs; body: Buffer } {
  const title = `${status} ${REASONS[status] ?? "Error"}`;
  const body = Buffer.from(`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n`
    + "<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n");
  return {
    headers: [["content-type", "text/html; charset=utf-8"], ["content-length", String(body.length)], ["server", APISIX_SERVER]],
    body,
  };
}

/** Upstream response headers nginx does not copy (hop-by-hop, or proxy_hide_header's defaults; Date is passed). */
const NOT_COPIED = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "server", "x-pad", "x-accel-expires",
  "x-accel-redirect", "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset"]);

/** headers_out of a proxied response before the header filter's plugins: the upstream's, then APISIX's Server. */
export function proxiedHeadersOut(upstream: Pairs): Pairs {
  const out: Pairs = upstream.filter(([k]) => !NOT_COPIED.has(k.toLowerCase())).map(([k, v]) => [k.toLowerCase(), v]);
  out.push(["server", APISIX_SERVER]);
  return out;
}

/** What leaves nginx for headers_out after the header filter: charset appended to text types, chunked without a length. */
export function proxiedClientHeaders(headersOut: Pairs): Pairs {
  const headers: Pairs = headersOut.map(([k, v]) => [k, v]);
  const type = firstValue(headers, "content-type");
  if (type !== undefined) {
    removeAll(headers, "content-type");
    headers.push(["content-type", withCharset(type)]);
  }
  if (firstValue(headers, "content-length") === undefined) headers.push(["transfer-encoding", "chunked"]);
  return headers;
}
