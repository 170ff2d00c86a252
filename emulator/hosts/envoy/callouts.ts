// Envoy's callouts: the async client's request to the cluster, and what the module sees of the answer
// (the router turns a timeout or a connect failure into a local 504/503 response; the response map
// has :status first and no hop-by-hop headers).
import { firstValue } from "../../header-map.ts";
import { regularHeaders, send, type HttpResult, type HttpTarget } from "../../http-client.ts";
import type { Callout, Pairs } from "../../types.ts";
import type { Answer } from "../../vm-state.ts";
import type { ResolvedOptions } from "../behaviour.ts";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/** The async client's request to `baseUrl` (the cluster, verified against `ca` over TLS), with Content-Length for a body. */
export function envoyTarget(c: Callout, baseUrl: string, ca?: string | Buffer): HttpTarget {
  const hasBody = c.body.length > 0;
  const headers: Pairs = [
    ["host", firstValue(c.headers, ":authority") ?? ""],
    ...regularHeaders(c.headers)
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
    ...(ca !== undefined ? { ca } : {}),
  };
}

/** The response map as the module sees it: lower-cased names, :status first, no hop-by-hop headers. */
export function shapeEnvoyAnswer(answer: Answer): Answer {
  const lower: Pairs = answer.headers.map(([k, v]) => [k.toLowerCase(), v]);
  const status = lower.filter(([k]) => k === ":status");
  const rest = lower.filter(([k]) => k !== ":status" && !HOP_BY_HOP.has(k));
  return { ...answer, headers: [...status, ...rest] };
}

/** A router local reply, as the async client hands it to the module. */
function routerReply(status: number, body: string): Answer {
  return {
    headers: [[":status", String(status)], ["content-length", String(Buffer.byteLength(body))], ["content-type", "text/plain"]],
    body,
  };
}

/** What the module sees of a callout that ended as `r`; `note` receives failure details. */
export function envoyAnswer(r: HttpResult, note: (m: string) => void): Answer | null {
  if (r.kind !== "response") note(`http call failed (${r.kind}): ${r.detail}`);
  switch (r.kind) {
    case "response":
      return shapeEnvoyAnswer({ headers: [[":status", String(r.status)], ...r.headers], body: r.body });
    case "timeout":
      return routerReply(504, "upstream request timeout");
    case "connect-failure":
      return routerReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
    case "reset-before-headers":
      return routerReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection termination");
    default:
      return null;
  }
}

/** Performs callout `c` on its cluster (HostOptions.clusters); null when there is none. */
export async function performEnvoyCallout(c: Callout, opts: ResolvedOptions, note: (m: string) => void): Promise<Answer | null> {
  const base = opts.clusters?.[c.upstream];
  if (!base) return null; // refused at dispatch already; kept for type safety
  return envoyAnswer(await send(envoyTarget(c, base, opts.trustedCa)), note);
}
