// Proxy mode under hostile answers, through the emulator over loopback HTTP. Event streams (Envoy,
// response_stream): random payloads, preludes and InvokeComplete errors, cut at random HTTP chunk boundaries,
// valid or with one byte flipped — the client gets exactly the function's bytes, or a clean 502 / a cut
// that keeps only the function's bytes; never a trap. Random upstream header sets (both profiles, URL targets;
// Envoy, Invoke API replies and preludes with random headers) — no trap, every response well-formed at the
// client, no secret in any log, header or body. Seeded: see support/fuzz-run.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { LogLevel, type Host, type Profile, type Reply } from "../emulator/index.ts";
import { relayedHeaderViolations } from "./support/fuzz-checks.ts";
import { configure } from "./support/filter-host.ts";
import { fuzz, reportCases, scaled } from "./support/fuzz-run.ts";
import { InvokeApi, RawPayload } from "./support/invoke-api.ts";
import { FUNCTION_URL_HOST, KEYS, proxyHost } from "./support/proxy-host.ts";
import { RawUpstream } from "./support/raw-upstream.ts";
import { StreamingInvokeApi, type StreamedOutput, type Streaming } from "./support/stream-invoke.ts";

const FILE = "fuzz-proxy.test.ts";
const INVOKE_HOST = "lambda.us-east-1.amazonaws.com";
const SESSION_TOKEN = "IQoJb3JpZ2luX2VjEPROXYFUZZTOKEN0123456789";
const IAM = { iam: { ...KEYS, session_token: SESSION_TOKEN } };
const SECRETS = [KEYS.secretkey, SESSION_TOKEN];

/** Secrets found in what the filter logged, or what reached the client. */
function leaks(host: Host, reply: Reply): string[] {
  const texts = [...host.getLogs(LogLevel.Trace).map((l) => l.message), reply.body.toString("latin1"), ...reply.headers.flat()];
  return SECRETS.filter((secret) => texts.some((text) => text.includes(secret))).map((s) => `leaked ${s.slice(0, 6)}…`);
}

/**
 * Connection-specific names a host itself passes from an upstream response to the client. nginx copies every
 * upstream header its upstream module does not list: it drops only Connection and Keep-Alive and frames
 * Transfer-Encoding itself (ngx_http_upstream.c, ngx_http_upstream_headers_in); Envoy's connection manager
 * removes connection, keep-alive, proxy-connection, transfer-encoding and upgrade (mutateResponseHeaders, as
 * emulator/hosts/envoy/response.ts models it). A URL target's proxied response is not the filter's to change (it passes
 * untouched), so these may reach the client — but only when the function sent them.
 */
const PASSED_BY_HOST: Record<Profile, ReadonlySet<string>> = {
  apisix: new Set(["te", "trailer", "proxy-connection", "proxy-authenticate", "proxy-authorization"]),
  envoy: new Set(["te", "trailer", "proxy-authenticate", "proxy-authorization"]),
};

/**
 * Headers the client got that no HTTP/1 response may carry (CR, LF, NUL, a non-token name) or that are
 * connection-specific; with `passed`, the connection-specific names the host passes from `upstream` are not
 * the filter's doing.
 */
function clientHeaderViolations(reply: Reply, passed?: { profile: Profile; upstream: ReadonlyArray<readonly [string, string]> }): string[] {
  const sent = new Set((passed?.upstream ?? []).map(([k]) => k.toLowerCase()));
  const hostPassed = (name: string) => passed !== undefined && PASSED_BY_HOST[passed.profile].has(name) && sent.has(name);
  return relayedHeaderViolations(reply.headers.filter(([k]) => k !== "transfer-encoding" && !hostPassed(k)));
}

const bytesArb = fc.uint8Array({ maxLength: 200 });
const headerValueArb = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom("a\r\nx-injected: 1", "nul\u0000", "tab\tok", "é", " padded ") });
const headerNameArb = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.constantFrom("x-fn", "content-type", "set-cookie", "x-amzn-errortype", "x-amzn-requestid", "date"),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/)) },
  { weight: 1, arbitrary: fc.constantFrom("connection", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-authenticate", ":status", "bad name", "x\r\ny", "") });
const headersArb = fc.array(fc.tuple(headerNameArb, headerValueArb), { maxLength: 8 });

describe("envoy: event streams cut anywhere, valid or corrupt", () => {
  let api: StreamingInvokeApi;
  let output: StreamedOutput = { writes: [] };
  let streaming: Streaming = {};
  before(async () => {
    api = await StreamingInvokeApi.start({ region: "us-east-1", accessKey: KEYS.accesskey, secretKey: KEYS.secretkey,
      sessionToken: SESSION_TOKEN, functions: { gen: () => output }, streaming: () => streaming });
  });
  after(() => api.close());

  test("the client gets the function's bytes, or a clean failure that released only its bytes; no trap", async (t) => {
    const host = await proxyHost("envoy", INVOKE_HOST, api);
    const root = configure(host, { function_uri: "arn:aws:lambda:us-east-1:123456789012:function:gen", mode: "proxy", response_stream: true,
      authorization: IAM });
    const caseArb = fc.record({
      writes: fc.array(bytesArb, { minLength: 1, maxLength: 5 }),
      prelude: fc.option(fc.record({ statusCode: fc.integer({ min: 200, max: 599 }),
        headers: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), headerValueArb, { maxKeys: 4 }) }), { nil: undefined }),
      error: fc.option(fc.record({ ErrorCode: fc.constantFrom("Unhandled", "Runtime.ExitError") }), { nil: undefined }),
      cuts: fc.array(fc.nat(), { maxLength: 10 }),
      corrupt: fc.option(fc.nat(), { nil: undefined }),
    });
    await fuzz(t, FILE, "envoy event streams", scaled(300), fc.asyncProperty(caseArb, async (c) => {
      // A write starting with '{' could be read as a prelude where there is none: these are plain bytes.
      const writes = c.writes.map((w, i) => (i === 0 && !c.prelude && w[0] === 0x7b ? Buffer.concat([Buffer.from(" "), w]) : Buffer.from(w)));
      output = { writes, ...(c.prelude ? { prelude: c.prelude } : {}), ...(c.error ? { error: c.error } : {}) };
      streaming = { gapMs: 0, cuts: (bytes) => c.cuts.map((n) => (n % bytes.length) + 1),
        ...(c.corrupt !== undefined ? { corruptAt: (bytes: Buffer) => c.corrupt! % bytes.length } : {}) };
      host.clearLogs();
      const r = await host.request(root, { method: "POST", path: "/", body: "{}" });
      const expected = Buffer.concat(writes);
      const problems: string[] = [];
      if (host.failed) problems.push(`trap: ${host.trap?.message}`);
      problems.push(...clientHeaderViolations(r), ...leaks(host, r));
      if (r.stalled) problems.push(`stalled: ${r.stalled}`);
      if (c.corrupt === undefined) {
        if (!r.body.equals(expected)) problems.push(`body ${r.body.length} bytes, expected ${expected.length}`);
        if (r.status !== (c.prelude?.statusCode ?? 200)) problems.push(`status ${r.status}: ${r.body.toString().slice(0, 200)}`);
      } else if (r.status === 502 && r.body.toString().includes("aws_lambda_bad_response")) {
        // a clean failure before the head went out
      } else if (!expected.subarray(0, r.body.length).equals(r.body)) {
        problems.push(`a corrupt stream released bytes that are not the function's (status ${r.status})`);
      }
      assert.deepEqual(problems, []);
    }));
  });
});

for (const profile of ["envoy", "apisix"] as Profile[]) {
  describe(`${profile}: random upstream header sets (URL target)`, () => {
    let upstream: RawUpstream;
    before(async () => { upstream = await RawUpstream.start(); });
    after(() => upstream.close());

    test("no trap, a well-formed response at the client, no secret anywhere", async (t) => {
      const statuses = new Map<number, number>();
      t.after(() => t.diagnostic(`client statuses: ${JSON.stringify(Object.fromEntries(statuses))}`));
      const host = await proxyHost(profile, FUNCTION_URL_HOST, upstream);
      const root = configure(host, { function_uri: `https://${FUNCTION_URL_HOST}/`, mode: "proxy", authorization: IAM });
      const caseArb = fc.record({ status: fc.constantFrom(200, 204, 301, 403, 404, 500, 502, 503, 504), headers: headersArb,
        body: fc.string({ maxLength: 50 }), chunked: fc.boolean() });
      await fuzz(t, FILE, `${profile} upstream headers`, scaled(200), fc.asyncProperty(caseArb, async (c) => {
        const lines = c.headers.map(([k, v]) => `${k}: ${v}`);
        const body = Buffer.from(c.body);
        const framing = c.chunked ? `transfer-encoding: chunked\r\n` : `content-length: ${body.length}\r\n`;
        const payload = c.chunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from("\r\n0\r\n\r\n")]) : body;
        upstream.answer = Buffer.concat([Buffer.from(`HTTP/1.1 ${c.status} X\r\n${lines.map((l) => `${l}\r\n`).join("")}${framing}connection: close\r\n\r\n`, "latin1"),
          c.status === 204 ? Buffer.alloc(0) : payload]);
        host.clearLogs();
        const r = await host.request(root, { path: "/x" });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        const problems: string[] = [];
        if (host.failed) problems.push(`trap: ${host.trap?.message}`);
        if (r.status < 100 || r.status > 599) problems.push(`no response: ${r.stalled ?? r.details}`);
        problems.push(...clientHeaderViolations(r, { profile, upstream: c.headers }), ...leaks(host, r));
        assert.deepEqual(problems, []);
      }));
    });
  });
}

describe("envoy: random headers in Invoke API replies and streaming preludes", () => {
  let api: InvokeApi;
  let reply: unknown = {};
  before(async () => {
    api = await InvokeApi.start({ region: "us-east-1", iam: { [KEYS.accesskey]: { secretKey: KEYS.secretkey, sessionToken: SESSION_TOKEN } },
      functions: { fn: () => new RawPayload(Buffer.from(JSON.stringify(reply))) } });
  });
  after(() => api.close());

  test("what the filter relays from a function's headers is always well-formed", async (t) => {
    const host = await proxyHost("envoy", INVOKE_HOST, api);
    const root = configure(host, { function_uri: "arn:aws:lambda:us-east-1:123456789012:function:fn", mode: "proxy", authorization: IAM });
    const replyArb = fc.record({
      statusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constant(-1)),
      headers: fc.dictionary(headerNameArb, headerValueArb, { maxKeys: 6 }),
      multiValueHeaders: fc.dictionary(headerNameArb, fc.array(headerValueArb, { maxLength: 3 }), { maxKeys: 3 }),
      cookies: fc.array(headerValueArb, { maxLength: 3 }),
      body: fc.string({ maxLength: 40 }),
    });
    await fuzz(t, FILE, "envoy invoke reply headers", scaled(200), fc.asyncProperty(replyArb, async (value) => {
      reply = value;
      host.clearLogs();
      const r = await host.request(root, { method: "POST", path: "/", body: "{}" });
      const problems: string[] = [];
      if (host.failed) problems.push(`trap: ${host.trap?.message}`);
      if (r.status < 100 || r.status > 599) problems.push(`no response: ${r.stalled ?? r.details}`);
      problems.push(...clientHeaderViolations(r), ...leaks(host, r));
      assert.deepEqual(problems, []);
    }));
  });
});

after(() => reportCases(FILE));
