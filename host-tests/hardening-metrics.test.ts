// Observability: for each outcome of a URL-mode request, exactly the metrics README "Metrics and logs"
// documents move on Envoy, and nothing else; on APISIX (metric calls answer Ok and keep nothing) the same requests
// get the same replies; proxy mode's responses are delivered with the emulator's response callbacks. Invoke API outcomes (throttled, function_error, …) belong to that mode's tests.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { WasmResult, type Host, type Profile } from "../emulator/index.ts";
import { FuzzHost, HOST_OPTIONS } from "./support/fuzz-host.ts";

const FUNCTION = { function_uri: "https://a.example.com/fn", path_prefix: "/aws", max_req_body_size: 100 };
const OK = { headers: [[":status", "200"]] as [string, string][], body: "ok" };

interface Outcome {
  name: string;
  /** Runs the outcome once on a fresh host; returns the status the client got (0 = none). */
  run(host: Host): Promise<number>;
  status: number;
  /** Metric name (without "aws_lambda.") → how much it moves; every other metric stays put. */
  moves: Record<string, number>;
}

const request = (host: Host, config: object, spec: Parameters<Host["request"]>[1], answer?: typeof OK | null) =>
  host.request(host.configure(config).rootId, spec, answer === undefined ? {} : { answer: () => answer }).then((r) => r.status);

const OUTCOMES: Outcome[] = [
  { name: "the function's answer relayed", status: 200, run: (h) => request(h, FUNCTION, { path: "/aws/x" }, OK),
    moves: { requests_total: 1, callouts_total: 1, replies_2xx_total: 1, callout_duration_ms: 1 } },
  { name: "the function's own 404 relayed (not a failure)", status: 404, run: (h) => request(h, FUNCTION, { path: "/aws/x" }, { headers: [[":status", "404"]], body: "" }),
    moves: { requests_total: 1, callouts_total: 1, replies_4xx_total: 1, callout_duration_ms: 1 } },
  { name: "an escaping path (400)", status: 400, run: (h) => request(h, FUNCTION, { path: "/aws/%2e%2e/x" }),
    moves: { requests_total: 1, bad_request_total: 1, replies_4xx_total: 1 } },
  { name: "a path outside path_prefix (404)", status: 404, run: (h) => request(h, FUNCTION, { path: "/other" }),
    moves: { requests_total: 1, bad_request_total: 1, replies_4xx_total: 1 } },
  { name: "a declared body over max_req_body_size (413)", status: 413, run: async (h) => {
    // From the header alone: end_of_stream false and the body never sent.
    const streamId = h.newStream(h.configure(FUNCTION).rootId);
    h.callOnRequestHeaders(streamId, [[":method", "POST"], [":path", "/aws/x"], [":authority", "a"], [":scheme", "http"],
      ["content-length", "101"]], false);
    return h.getLocalResponse(streamId)?.status ?? 0;
  }, moves: { requests_total: 1, body_too_large_total: 1, replies_4xx_total: 1 } },
  { name: "a streamed body over max_req_body_size (413)", status: 413,
    run: (h) => request(h, FUNCTION, { method: "POST", path: "/aws/x", chunks: [Buffer.alloc(60), Buffer.alloc(60)] }),
    moves: { requests_total: 1, body_too_large_total: 1, replies_4xx_total: 1 } },
  { name: "a callout the host refuses (500)", status: 500, run: (h) => {
    // Envoy: an unknown cluster. APISIX refuses no host[:port] (the filter refuses anything else at configure
    // time), so there a refusing host function stands in.
    if (h.profile === "apisix") h.failHostCall("proxy_http_call", WasmResult.BadArgument);
    return request(h, { ...FUNCTION, ...(h.profile === "envoy" ? { upstream: "refused:0" } : {}) }, { path: "/aws/x" });
  },
    moves: { requests_total: 1, callout_refused_total: 1, replies_5xx_total: 1 } },
  { name: "a callout that fails without a response (503)", status: 503, run: (h) => request(h, FUNCTION, { path: "/aws/x" }, null),
    moves: { requests_total: 1, callouts_total: 1, callout_failed_total: 1, replies_5xx_total: 1, callout_duration_ms: 1 } },
  { name: "a callout that fails after timeout (504)", status: 504, run: async (h) => {
    const reply = await h.request(h.configure({ ...FUNCTION, timeout: 100 }).rootId, { path: "/aws/x" });
    await sleep(120);
    h.callOnHttpCallResponse(reply.callout!.rootId, reply.callout!.token, null);
    return h.getLocalResponse(reply.streamId)?.status ?? 0;
  }, moves: { requests_total: 1, callouts_total: 1, callout_timeout_total: 1, replies_5xx_total: 1, callout_duration_ms: 1 } },
  { name: "a response without a valid :status (502)", status: 502, run: (h) => request(h, FUNCTION, { path: "/aws/x" }, { headers: [["x", "1"]], body: "" }),
    moves: { requests_total: 1, callouts_total: 1, bad_response_total: 1, replies_5xx_total: 1, callout_duration_ms: 1 } },
  { name: "a stream whose root has no valid config (503)", status: 503, run: async (h) => {
    const { rootId } = h.configure({ function_uri: "not a url" });
    const streamId = h.newStream(rootId);
    h.callOnRequestHeaders(streamId, [[":method", "GET"], [":path", "/aws/x"], [":authority", "a"], [":scheme", "http"]], true);
    return h.getLocalResponse(streamId)?.status ?? 0;
  }, moves: { config_refused_total: 1, requests_total: 1, not_configured_total: 1, replies_5xx_total: 1 } },
  { name: "a refused configuration", status: 0, run: async (h) => (h.configure({ function_uri: "https://a.b", timeout: 1 }), 0),
    moves: { config_refused_total: 1 } },
  { name: "an answer after the client left", status: 0, run: async (h) => {
    const reply = await h.request(h.configure(FUNCTION).rootId, { path: "/aws/x" });
    h.callOnDone(reply.streamId);
    h.callOnDelete(reply.streamId);
    h.callOnHttpCallResponse(reply.callout!.rootId, reply.callout!.token, OK);
    return h.getLocalResponse(reply.streamId)?.status ?? 0;
  }, moves: { requests_total: 1, callouts_total: 1 } },
  { name: "proxy mode: the function's 200 passes through (the route carried the request)", status: 200,
    run: (h) => proxied(h, [[":status", "200"], ["x-amzn-requestid", "r-1"]]),
    moves: { requests_total: 1, replies_2xx_total: 1 } },
  { name: "proxy mode: the host's own 503 (no x-amzn-requestid) counted as a failed call", status: 503,
    run: (h) => proxied(h, [[":status", "503"], ["content-type", "text/plain"]]),
    moves: { requests_total: 1, callout_failed_total: 1, replies_5xx_total: 1 } },
];

/** A proxy-mode request let go on, then its response delivered as the host does (`headers`, then a body). */
async function proxied(host: Host, headers: [string, string][]): Promise<number> {
  const reply = await host.request(host.configure({ ...FUNCTION, mode: "proxy" }).rootId, { path: "/aws/x" }, { keepStream: true });
  if (!reply.continued) return reply.status;
  host.callOnResponseHeaders(reply.streamId, headers, false);
  host.callOnResponseBody(reply.streamId, Buffer.from("body"), true);
  host.callOnDone(reply.streamId);
  host.callOnDelete(reply.streamId);
  return Number(headers[0][1]);
}

/** Every metric's value (histograms: their sample count), keyed without the "aws_lambda." prefix. */
function snapshot(host: Host): Map<string, number> {
  return new Map([...host.getMetrics()].map(([name, metric]) => [name.replace(/^aws_lambda\./, ""), metric.value]));
}

for (const profile of ["envoy", "apisix"] as Profile[]) {
  describe(`${profile}: metrics for each outcome`, () => {
    for (const outcome of OUTCOMES) {
      test(`${outcome.name}: ${profile === "envoy" ? "moves exactly its documented metrics" : "same reply, no metrics, no trap"}`, async () => {
        const { host } = await FuzzHost.start(profile, HOST_OPTIONS);
        // Define the metrics first (the filter does on the first configure), then measure from there.
        host.deleteRoot(host.configure(FUNCTION).rootId);
        const before = snapshot(host);
        const status = await outcome.run(host);
        assert.equal(host.failed, false, host.trap?.message);
        assert.equal(status, outcome.status);
        if (profile === "apisix") {
          assert.equal(host.getMetrics().size, 0);
          return;
        }
        const after = snapshot(host);
        const moved: Record<string, number> = {};
        for (const [name, value] of after) if (value !== (before.get(name) ?? 0)) moved[name] = value - (before.get(name) ?? 0);
        assert.deepEqual(moved, outcome.moves);
      });
    }
  });
}
