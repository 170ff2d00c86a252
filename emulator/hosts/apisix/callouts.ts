// APISIX's callouts: the upstream check (ngx_parse_url), the lua-resty-http request proxy-wasm.lua makes
// (URL from :scheme + upstream + :path, headers through a Lua table, lua-resty-http's own Content-Length,
// Host and User-Agent, TLS verified with SNI = the upstream host, per-operation timeouts), and what the
// module sees of the answer (any failure is "no response"; header order arbitrary, :status last).
import { isIPv6, isIP } from "node:net";
import { firstValue } from "../../header-map.ts";
import { regularHeaders, send, type HttpTarget } from "../../http-client.ts";
import type { Callout, Pairs } from "../../types.ts";
import type { Answer } from "../../vm-state.ts";
import type { ResolvedOptions } from "../behaviour.ts";
import type { LuaTableOrder } from "./lua-order.ts";

/** lua-socket's default connect/send/read timeout, used by httpc:set_timeout(0). */
const DEFAULT_TIMEOUT_MS = 60_000;
/** lua-resty-http's _USER_AGENT (api7-lua-resty-http 0.2.2 = lua-resty-http 0.16.1, lua-nginx-module 0.10.26). */
export const LUA_RESTY_HTTP_USER_AGENT = "lua-resty-http/0.16.1 (Lua) ngx_lua/10026";
/** lua-resty-http's EXPECTING_BODY: methods that get Content-Length: 0 without a body (http.lua 58-62). */
const EXPECTING_BODY = new Set(["POST", "PUT", "PATCH"]);

/** An upstream split as ngx_parse_url and the URL built from it read it: the authority, then any URI part. */
export function splitUpstream(upstream: string): { authority: string; uriPart: string } {
  const close = upstream.startsWith("[") ? upstream.indexOf("]") : -1;
  const from = Math.max(close, 0);
  const ends = ["/", "?"].map((c) => upstream.indexOf(c, from)).filter((i) => i >= 0);
  const at = ends.length ? Math.min(...ends) : upstream.length;
  return { authority: upstream.slice(0, at), uriPart: upstream.slice(at) };
}

/**
 * Whether ngx_parse_url (no_resolve) accepts a callout upstream: a host or [IPv6] literal, an optional
 * port 1–65535 — and, as measured on wasm-nginx-module 0.6.5, anything after a "/" or "?" (nginx's own
 * source would refuse a URI part when uri_part is 0: "invalid host").
 */
export function isValidUpstream(upstream: string): boolean {
  if (/^unix:/i.test(upstream)) return upstream.length > 5;
  const { authority } = splitUpstream(upstream);
  let host = authority;
  let port: string | undefined;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0 || !isIPv6(authority.slice(1, close))) return false;
    host = authority.slice(0, close + 1);
    const rest = authority.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) return false;
    if (rest !== "") port = rest.slice(1);
  } else {
    const colon = authority.indexOf(":");
    if (colon >= 0) [host, port] = [authority.slice(0, colon), authority.slice(colon + 1)];
  }
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return false;
  return host.length > 0;
}

/** The host name TLS verification and SNI use: the upstream's host, never :authority. */
function upstreamHost(authority: string): string {
  if (authority.startsWith("[")) return authority.slice(1, authority.indexOf("]"));
  const colon = authority.indexOf(":");
  return colon < 0 ? authority : authority.slice(0, colon);
}

/** The path lua-resty-http requests: the upstream's URI part, then `:path` with a "/" inserted before it if needed. */
function requestPath(uriPart: string, path: string): string {
  const joined = uriPart + (path === "" || path.startsWith("/") ? path : `/${path}`);
  return joined.startsWith("/") ? joined : `/${joined}`;
}

/**
 * lua-resty-http's request_uri with callout `c` (send_request, http.lua 677-731): `:authority` becomes
 * Host (else the URL's host), Content-Length is added (0 for a bodiless POST/PUT/PATCH), and its own
 * User-Agent when none was sent; the headers go out in the Lua table's order.
 */
export function apisixTarget(c: Callout, base: string, opts: ResolvedOptions, order: LuaTableOrder): HttpTarget {
  const url = new URL(base);
  const { authority, uriPart } = splitUpstream(c.upstream);
  const method = c.effective?.method ?? (firstValue(c.headers, ":method") || "GET");
  const headers: Pairs = [...regularHeaders(c.headers)];
  const hostHeader = firstValue(c.headers, ":authority");
  headers.unshift(["host", hostHeader ?? authority]);
  const chunked = /(^|,)\s*chunked\s*$/i.test(firstValue(headers, "transfer-encoding") ?? "");
  if (chunked) {
    for (let i = headers.length - 1; i >= 0; i--) if (headers[i][0].toLowerCase() === "content-length") headers.splice(i, 1);
  } else if (firstValue(headers, "content-length") === undefined) {
    if (c.body.length > 0) headers.push(["content-length", String(c.body.length)]);
    else if (EXPECTING_BODY.has(method.toUpperCase())) headers.push(["content-length", "0"]);
  }
  if (firstValue(headers, "user-agent") === undefined) headers.push(["user-agent", LUA_RESTY_HTTP_USER_AGENT]);
  const timeout = c.timeoutMs > 0 ? c.timeoutMs : DEFAULT_TIMEOUT_MS;
  const host = upstreamHost(authority);
  return {
    url,
    path: requestPath(uriPart, c.effective?.path ?? firstValue(c.headers, ":path") ?? ""),
    method,
    headers: order.arrange(headers),
    body: c.body,
    // sock:settimeout(t): connect, send and every read each get t (re-armed), armed from nginx's cached clock.
    timeoutMs: Math.max(1, timeout - (opts.clockLagMs ?? 0)),
    perOperationTimeout: true,
    ...(isIP(host) ? {} : { servername: host }),
    ...(opts.trustedCa !== undefined ? { ca: opts.trustedCa } : {}),
  };
}

/** handle_http_callback's map (proxy-wasm.lua 213-264): lower-cased names in the Lua table's order, `:status` last. */
export function shapeApisixAnswer(answer: Answer, order: LuaTableOrder): Answer {
  const lower: Pairs = answer.headers.map(([k, v]) => [k.toLowerCase(), v]);
  const status = lower.filter(([k]) => k === ":status");
  return { ...answer, headers: [...order.arrange(lower.filter(([k]) => k !== ":status")), ...status] };
}

/** Performs callout `c` as proxy-wasm.lua does; any failure (name not resolving included) is null (0 headers). */
export async function performApisixCallout(c: Callout, opts: ResolvedOptions, note: (m: string) => void, order: LuaTableOrder): Promise<Answer | null> {
  const { authority } = splitUpstream(c.upstream);
  const scheme = c.effective?.scheme ?? (firstValue(c.headers, ":scheme") || "http");
  const base = opts.resolve ? opts.resolve(authority, scheme) : `${scheme}://${authority}`;
  if (!base) {
    note(`http call failed: "${authority}" could not be resolved`);
    return null;
  }
  const r = await send(apisixTarget(c, base, opts, order));
  if (r.kind !== "response") {
    note(`http call failed (${r.kind}): ${r.detail}`);
    return null;
  }
  return shapeApisixAnswer({ headers: [[":status", String(r.status)], ...r.headers], body: r.body }, order);
}
