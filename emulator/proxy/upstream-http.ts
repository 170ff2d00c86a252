// A proxied request sent for real, its response handed over piece by piece as the socket delivers it (what a
// host's router or nginx upstream module reads), so the filter's response callbacks and the client see a
// streamed response as it streams. Headers go out exactly as given, in order, with the framing given.
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { describeError } from "../http-client.ts";
import type { Pairs, UpstreamRequest } from "../types.ts";

/** How the response arrives. */
export interface UpstreamEvents {
  headers(status: number, headers: Pairs): void;
  data(chunk: Buffer): void;
  end(): void;
  /** No response, or a response cut short: `afterHeaders` tells which. */
  failed(kind: "timeout" | "connect-failure" | "reset", detail: string, afterHeaders: boolean): void;
}

export interface UpstreamOptions {
  /** Whole-exchange timeout (Envoy's route timeout), ms; 0 = none. */
  totalTimeoutMs?: number;
  /** Per-operation timeout (nginx's proxy_connect/send/read_timeout), ms; 0 = none. */
  idleTimeoutMs?: number;
  /** Verify HTTPS against these CAs (else: not verified). */
  ca?: string | Buffer;
  verify?: boolean;
}

/** Keep-alive agents: a host keeps upstream connections (Node then sends `connection: keep-alive`). */
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** Sends `req` and reports its response as it comes; returns a function that abandons the exchange. */
export function sendUpstream(req: UpstreamRequest, events: UpstreamEvents, opts: UpstreamOptions = {}): () => void {
  const url = new URL(req.url);
  const secure = url.protocol === "https:";
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  let responded = false;
  let settled = false;
  const fail = (kind: "timeout" | "connect-failure" | "reset", detail: string) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    events.failed(kind, detail, responded);
  };
  const tls = secure ? {
    ...(req.servername && !isIP(req.servername) ? { servername: req.servername } : {}),
    rejectUnauthorized: opts.verify ?? false,
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    ...(opts.verify ? {} : { checkServerIdentity: () => undefined }),
  } : {};
  const out = (secure ? https : http).request({
    host: hostname, port: url.port || (secure ? 443 : 80), method: req.method, path: req.target,
    headers: req.headers.flat(), setHost: false, agent: secure ? agents.https : agents.http, ...tls,
  });
  let connected = false;
  out.on("socket", (s) => {
    if (!s.connecting) connected = true; // a kept-alive connection
    else s.once(secure ? "secureConnect" : "connect", () => (connected = true));
  });
  const timer = opts.totalTimeoutMs ? setTimeout(() => {
    out.destroy(new Error("timeout"));
    fail("timeout", `no complete response within ${opts.totalTimeoutMs} ms`);
  }, opts.totalTimeoutMs) : undefined;
  if (opts.idleTimeoutMs) {
    out.setTimeout(opts.idleTimeoutMs, () => {
      out.destroy(new Error("timeout"));
      fail("timeout", `nothing for ${opts.idleTimeoutMs} ms`);
    });
  }
  out.on("response", (res) => {
    responded = true;
    const headers: Pairs = [];
    for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
    events.headers(res.statusCode ?? 0, headers);
    res.on("data", (chunk: Buffer) => {
      if (!settled) events.data(chunk);
    });
    res.on("end", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      events.end();
    });
    res.on("aborted", () => fail("reset", "the upstream closed the connection mid-response"));
    res.on("error", (err) => fail("reset", describeError(err)));
  });
  out.on("error", (err) => fail(connected ? "reset" : "connect-failure", describeError(err)));
  if (req.body.length > 0) out.write(req.body);
  out.end();
  return () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    out.destroy();
  };
}
