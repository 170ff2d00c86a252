// APISIX's callouts: the upstream `host[:port]` check, the lua-resty-http request proxy-wasm.lua makes,
// and what the module sees of the answer (any failure is "no response"; :status comes last).
import { firstValue } from "../../header-map.ts";
import { regularHeaders, send, type HttpTarget } from "../../http-client.ts";
import type { Callout, Pairs } from "../../types.ts";
import type { Answer } from "../../vm-state.ts";

/** lua-socket's default connect/send/read timeout, used by httpc:set_timeout(0). */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Whether ngx_parse_url (no_resolve, no URI part) accepts a callout upstream: a host or [IPv6]
 * literal, optional port 1–65535, nothing after it.
 */
export function isValidUpstream(upstream: string): boolean {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s/?#:\[\]]+)(?::(\d+))?$/.exec(upstream);
  if (!m) return false;
  if (m[2] === undefined) return !upstream.includes(":");
  const port = Number(m[2]);
  return port >= 1 && port <= 65535;
}

/** Base of the URL wasm-nginx-module builds: `:scheme` (default http) :// upstream; `resolve` may redirect it. */
export function baseUrl(upstream: string, headers: Pairs, resolve?: (authority: string, scheme: string) => string | null): string | null {
  const scheme = firstValue(headers, ":scheme") || "http";
  return resolve ? resolve(upstream, scheme) : `${scheme}://${upstream}`;
}

/** lua-resty-http request_uri with the callout: `:authority` becomes Host, method defaults to GET. */
export function apisixTarget(c: Callout, base: string): HttpTarget {
  let path = firstValue(c.headers, ":path") ?? "";
  if (path === "") path = "/";
  else if (!path.startsWith("/")) path = `/${path}`;
  const authority = firstValue(c.headers, ":authority");
  const headers: Pairs = [["host", authority ?? c.upstream], ...regularHeaders(c.headers)];
  if (c.body.length > 0 && !firstValue(headers, "content-length")) headers.push(["content-length", String(c.body.length)]);
  return {
    url: new URL(base),
    path,
    method: firstValue(c.headers, ":method") || "GET",
    headers,
    body: c.body,
    timeoutMs: c.timeoutMs > 0 ? c.timeoutMs : DEFAULT_TIMEOUT_MS,
  };
}

/** handle_http_callback's map: lower-cased names, `:status` appended last. */
export function shapeApisixAnswer(answer: Answer): Answer {
  const lower: Pairs = answer.headers.map(([k, v]) => [k.toLowerCase(), v]);
  return { ...answer, headers: [...lower.filter(([k]) => k !== ":status"), ...lower.filter(([k]) => k === ":status")] };
}

/** Performs callout `c` as proxy-wasm.lua does; any failure is null (0 headers). */
export async function performApisixCallout(c: Callout, resolve: ((authority: string, scheme: string) => string | null) | undefined, note: (m: string) => void): Promise<Answer | null> {
  const base = baseUrl(c.upstream, c.headers, resolve);
  if (!base) return null; // refused at dispatch already; kept for type safety
  const r = await send(apisixTarget(c, base));
  if (r.kind !== "response") {
    note(`http call failed (${r.kind}): ${r.detail}`);
    return null;
  }
  return shapeApisixAnswer({ headers: [[":status", String(r.status)], ...r.headers], body: r.body });
}
