// proxy_http_call performed for real with node:http/https, and the shape each host gives the module
// when the call succeeds or fails (Envoy turns timeouts and connect errors into local 504/503
// responses of its router; APISIX's lua-resty-http reports any failure as "no response").
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { firstValue } from "./header-map.ts";
import type { Callout, CalloutAnswer, Pairs, Profile } from "./types.ts";

/** One HTTP request derived from a callout. */
export interface HttpTarget {
  url: URL;
  path: string;
  method: string;
  headers: Pairs;
  body: Buffer;
  /** 0 = no timeout. */
  timeoutMs: number;
}

type RawResult =
  | { kind: "response"; status: number; headers: Pairs; body: Buffer }
  | { kind: "timeout" | "connect-failure" | "reset-before-headers" | "reset-mid-response" | "invalid"; detail: string };

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);
/** lua-socket's default connect/send/read timeout, used by httpc:set_timeout(0). */
const APISIX_DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Whether ngx_parse_url (no_resolve, no URI part) accepts an APISIX callout upstream: a host or
 * [IPv6] literal, optional port 1–65535, nothing after it.
 */
export function isValidApisixUpstream(upstream: string): boolean {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s/?#:\[\]]+)(?::(\d+))?$/.exec(upstream);
  if (!m) return false;
  if (m[2] === undefined) return !upstream.includes(":");
  const port = Number(m[2]);
  return port >= 1 && port <= 65535;
}

const regular = (headers: Pairs) => headers.filter(([k]) => !k.startsWith(":"));

/** Envoy's async client request to `baseUrl` (the cluster), with Content-Length for a body. */
export function envoyTarget(c: Callout, baseUrl: string): HttpTarget {
  const hasBody = c.body.length > 0;
  const headers: Pairs = [
    ["host", firstValue(c.headers, ":authority") ?? ""],
    ...regular(c.headers)
      .map(([k, v]): [string, string] => [k.toLowerCase(), v])
      .filter(([k]) => !(hasBody && k === "content-length")),
  ];
  if (hasBody) headers.push(["content-length", String(c.body.length)]);
  return {
    url: new URL(baseUrl),
    path: firstValue(c.headers, ":path") ?? "/",
    method: firstValue(c.headers, ":method") ?? "GET",
    headers,
    body: c.body,
    timeoutMs: c.timeoutMs,
  };
}

/** Base of the URL wasm-nginx-module builds: `:scheme` (default http) :// upstream; `resolve` may redirect it. */
export function apisixBaseUrl(upstream: string, headers: Pairs, resolve?: (authority: string, scheme: string) => string | null): string | null {
  const scheme = firstValue(headers, ":scheme") || "http";
  return resolve ? resolve(upstream, scheme) : `${scheme}://${upstream}`;
}

/** lua-resty-http request_uri with the callout: `:authority` becomes Host, method defaults to GET. */
export function apisixTarget(c: Callout, baseUrl: string): HttpTarget {
  let path = firstValue(c.headers, ":path") ?? "";
  if (path === "") path = "/";
  else if (!path.startsWith("/")) path = `/${path}`;
  const authority = firstValue(c.headers, ":authority");
  const headers: Pairs = [["host", authority ?? c.upstream], ...regular(c.headers)];
  if (c.body.length > 0 && !firstValue(headers, "content-length")) headers.push(["content-length", String(c.body.length)]);
  return {
    url: new URL(baseUrl),
    path,
    method: firstValue(c.headers, ":method") || "GET",
    headers,
    body: c.body,
    timeoutMs: c.timeoutMs > 0 ? c.timeoutMs : APISIX_DEFAULT_TIMEOUT_MS,
  };
}

const agents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };

/** Sends the request and classifies how it ended. Never rejects. */
export function send(t: HttpTarget): Promise<RawResult> {
  return new Promise((resolve) => {
    const secure = t.url.protocol === "https:";
    let connected = false;
    let responded = false;
    let timedOut = false;
    let settled = false;
    const done = (r: RawResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request({
        host: t.url.hostname.replace(/^\[|\]$/g, ""),
        port: t.url.port || (secure ? 443 : 80),
        method: t.method,
        path: t.path,
        headers: t.headers.flat(),
        agent: secure ? agents.https : agents.http,
        ...(secure && !isIP(t.url.hostname.replace(/^\[|\]$/g, "")) ? { servername: t.url.hostname } : {}),
      });
    } catch (err) {
      resolve({ kind: "invalid", detail: (err as Error).message });
      return;
    }
    const timer = t.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          req.destroy(new Error("timeout"));
        }, t.timeoutMs)
      : undefined;
    req.on("socket", (s) => {
      if (!s.connecting) connected = true;
      s.once(secure ? "secureConnect" : "connect", () => (connected = true));
    });
    req.on("response", (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      const headers: Pairs = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done({ kind: "response", status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) }));
      res.on("aborted", () => done({ kind: "reset-mid-response", detail: "response aborted" }));
      res.on("error", (err) => done({ kind: "reset-mid-response", detail: err.message }));
    });
    req.on("error", (err) => {
      if (responded) done({ kind: "reset-mid-response", detail: timedOut ? "timeout after headers" : err.message });
      else if (timedOut) done({ kind: "timeout", detail: `no response within ${t.timeoutMs} ms` });
      else if (!connected) done({ kind: "connect-failure", detail: err.message });
      else done({ kind: "reset-before-headers", detail: err.message });
    });
    req.end(t.body.length > 0 ? t.body : undefined);
  });
}

/** An Envoy router local reply, as the async client hands it to the module. */
function envoyLocalReply(status: number, body: string): CalloutAnswer {
  return {
    headers: [[":status", String(status)], ["content-length", String(Buffer.byteLength(body))], ["content-type", "text/plain"]],
    body,
  };
}

/**
 * The response headers as the module sees them: lower-cased names; APISIX's handle_http_callback
 * appends `:status` last, Envoy's header map has it first and drops hop-by-hop headers.
 */
export function shapeAnswer(answer: CalloutAnswer, profile: Profile): CalloutAnswer {
  const lower: Pairs = answer.headers.map(([k, v]) => [k.toLowerCase(), v]);
  const status = lower.filter(([k]) => k === ":status");
  const rest = lower.filter(([k]) => k !== ":status");
  const headers = profile === "apisix" ? [...rest, ...status] : [...status, ...rest.filter(([k]) => !HOP_BY_HOP.has(k))];
  return { ...answer, headers };
}

/** Maps a raw result to what the module sees on `profile`; `note` receives failure details. */
export function toAnswer(r: RawResult, profile: Profile, note: (m: string) => void): CalloutAnswer | null {
  if (r.kind !== "response") note(`http call failed (${r.kind}): ${r.detail}`);
  if (profile === "apisix" && r.kind !== "response") return null; // any failure = 0 headers
  switch (r.kind) {
    case "response":
      return shapeAnswer({ headers: [[":status", String(r.status)], ...r.headers], body: r.body }, profile);
    case "timeout":
      return envoyLocalReply(504, "upstream request timeout");
    case "connect-failure":
      return envoyLocalReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
    case "reset-before-headers":
      return envoyLocalReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection termination");
    default:
      return null;
  }
}
