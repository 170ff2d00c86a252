// A callout performed for real with node:http/https, and how it ended (a response, or which kind of
// failure). What each host makes of it is in hosts/*/callouts.ts.
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { Pairs } from "./types.ts";

/** One HTTP request derived from a callout. */
export interface HttpTarget {
  url: URL;
  path: string;
  method: string;
  headers: Pairs;
  body: Buffer;
  /** 0 = no timeout. */
  timeoutMs: number;
  /** The timeout re-arms on every connect, write and read (lua-socket), instead of bounding the whole call. */
  perOperationTimeout?: boolean;
  /** TLS server name (SNI and the name the certificate must carry); default the URL's host unless an IP. */
  servername?: string;
  /** CA certificates to verify the server against; default Node's bundled roots. */
  ca?: string | Buffer;
}

/** How a request ended. */
export type HttpResult =
  | { kind: "response"; status: number; headers: Pairs; body: Buffer }
  | { kind: "timeout" | "connect-failure" | "reset-before-headers" | "reset-mid-response" | "invalid"; detail: string };

/** Headers without the pseudo-headers. */
export const regularHeaders = (headers: Pairs): Pairs => headers.filter(([k]) => !k.startsWith(":"));

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA"]);

/**
 * A failed request's cause in words a user can act on: "TLS: …" and "DNS: …" when it was the handshake or
 * the name lookup, and the system error code (ECONNREFUSED, ECONNRESET…) when the message lacks it.
 */
export function describeError(err: Error & { code?: string; library?: string }): string {
  const code = err.code ?? "";
  const text = err.message.trim();
  const message = code && !text.includes(code) ? `${text} (${code})` : text;
  if (DNS_CODES.has(code)) return `DNS: ${message}`;
  const tls = code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || code.includes("CERT") || code === "EPROTO"
    || err.library === "SSL routines" || /certificate|SSL|TLS/.test(text);
  return tls ? `TLS: ${message}` : message;
}

const agents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };

/** SNI, the name to verify and the trust store of an HTTPS target. */
function tlsOptions(t: HttpTarget): { servername?: string; ca?: string | Buffer } {
  const host = t.url.hostname.replace(/^\[|\]$/g, "");
  const servername = t.servername ?? (isIP(host) ? undefined : t.url.hostname);
  return { ...(servername ? { servername } : {}), ...(t.ca !== undefined ? { ca: t.ca } : {}) };
}

/** Sends the request and classifies how it ended. Never rejects. */
export function send(t: HttpTarget): Promise<HttpResult> {
  return new Promise((resolve) => {
    const secure = t.url.protocol === "https:";
    let connected = false;
    let responded = false;
    let timedOut = false;
    let settled = false;
    const done = (r: HttpResult) => {
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
        ...(secure ? tlsOptions(t) : {}),
      });
    } catch (err) {
      resolve({ kind: "invalid", detail: (err as Error).message });
      return;
    }
    const expire = () => {
      timedOut = true;
      req.destroy(new Error("timeout"));
    };
    const timer = t.timeoutMs > 0 && !t.perOperationTimeout ? setTimeout(expire, t.timeoutMs) : undefined;
    if (t.timeoutMs > 0 && t.perOperationTimeout) req.setTimeout(t.timeoutMs, expire);
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
      res.on("error", (err) => done({ kind: "reset-mid-response", detail: describeError(err) }));
    });
    req.on("error", (err) => {
      if (responded) done({ kind: "reset-mid-response", detail: timedOut ? "timeout after headers" : describeError(err) });
      else if (timedOut) done({ kind: "timeout", detail: `no response within ${t.timeoutMs} ms` });
      else if (!connected) done({ kind: "connect-failure", detail: describeError(err) });
      else done({ kind: "reset-before-headers", detail: describeError(err) });
    });
    req.end(t.body.length > 0 ? t.body : undefined);
  });
}
