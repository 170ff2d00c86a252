// No fail-open after a callout answer (issue 11): on APISIX, a proxy_on_http_call_response that neither
// replies nor dispatches a callout lets the request through to the route's own upstream, unauthenticated
// and unsigned. On every path through the filter's response callback — relayed answer, no answer, timeout,
// no :status, a host that cannot hand over the answer, Invoke API throttling with and without retries,
// service errors, function errors, unreadable payloads, a retry the host refuses — each answer is followed
// by exactly one of: a reply, or one new callout (on Envoy possibly at the next tick, after the backoff).
// Checked callback by callback on both profiles, then end to end on APISIX (never `continued`).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { BufferType, Host, MapType, WasmResult, type CalloutAnswer, type Profile, type RequestSpec } from "../emulator/index.ts";
import { PROFILES } from "./support/filter-host.ts";

const URL_FN = { function_uri: "https://fn.example.com/fn", timeout: 100 };
const IAM = { iam: { accesskey: "AKIDEXAMPLE", secretkey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" } };
const INVOKE = { function_uri: "arn:aws:lambda:us-east-1:123456789012:function:f", authorization: IAM, timeout: 100 };
const RETRYING = { ...INVOKE, max_retries: 1 };
const GET: RequestSpec = { method: "GET", path: "/x" };

const status = (code: number, headers: [string, string][] = [], body = ""): CalloutAnswer => ({ headers: [[":status", String(code)], ...headers], body });
const THROTTLED = status(429, [["x-amzn-errortype", "TooManyRequestsException"]], '{"Type":"User","message":"Rate Exceeded."}');
const PAYLOAD = status(200, [["content-type", "application/json"]], '{"statusCode":201,"body":"made"}');

/** One answer to a callout, with what must be true of the host while it is delivered. */
interface Step {
  answer: CalloutAnswer | null;
  /** Installs host faults for this answer; returns their removal. */
  fault?: (host: Host) => () => void;
  /** Wait this long before answering (a timeout). */
  delayMs?: number;
}

interface Path { name: string; config: object; request: RequestSpec; steps: Step[]; status: number }

const PATHS: Path[] = [
  { name: "the function's answer relayed", config: URL_FN, request: GET, steps: [{ answer: status(200, [], "ok") }], status: 200 },
  { name: "no answer (0 headers)", config: URL_FN, request: GET, steps: [{ answer: null }], status: 503 },
  { name: "no answer after timeout", config: URL_FN, request: GET, steps: [{ answer: null, delayMs: 110 }], status: 504 },
  { name: "an answer without :status", config: URL_FN, request: GET, steps: [{ answer: { headers: [["x-a", "1"]], body: "" } }], status: 502 },
  { name: "an answer the host cannot hand over (headers)", config: URL_FN, request: GET, status: 502, steps: [{ answer: status(200, [], "ok"),
    fault: (h) => h.failHostCall("proxy_get_header_map_pairs", WasmResult.InvalidMemoryAccess, ([type]) => type === MapType.HttpCallResponseHeaders) }] },
  { name: "an answer whose body the host truncates", config: URL_FN, request: GET, status: 502, steps: [{ answer: status(200, [], "a body"),
    fault: (h) => h.failCopyIntoModule("proxy_get_buffer_bytes", WasmResult.InvalidMemoryAccess, ([type]) => type === BufferType.HttpCallResponseBody) }] },
  { name: "Invoke API throttling, no retries", config: INVOKE, request: GET, steps: [{ answer: THROTTLED }], status: 429 },
  { name: "Invoke API throttling, retried, then served", config: RETRYING, request: GET, steps: [{ answer: THROTTLED }, { answer: PAYLOAD }], status: 201 },
  { name: "Invoke API throttling, retried, throttled again", config: RETRYING, request: GET, steps: [{ answer: THROTTLED }, { answer: THROTTLED }], status: 429 },
  { name: "Invoke API throttling of a POST (never retried)", config: RETRYING, request: { method: "POST", path: "/x", body: "{}" }, steps: [{ answer: THROTTLED }], status: 429 },
  { name: "a Lambda service error", config: INVOKE, request: GET, steps: [{ answer: status(500, [["x-amzn-errortype", "ServiceException"]], "{}") }], status: 502 },
  { name: "a Lambda service error, retried", config: RETRYING, request: GET, steps: [{ answer: status(502) }, { answer: PAYLOAD }], status: 201 },
  { name: "no answer from the Invoke API, retried", config: RETRYING, request: GET, steps: [{ answer: null }, { answer: PAYLOAD }], status: 201 },
  { name: "a function error", config: INVOKE, request: GET, status: 502,
    steps: [{ answer: status(200, [["x-amz-function-error", "Unhandled"]], '{"errorMessage":"boom"}') }] },
  { name: "a payload that cannot be unwrapped", config: INVOKE, request: GET, steps: [{ answer: status(200, [], "not json{") }], status: 502 },
  { name: "an unknown function", config: INVOKE, request: GET, steps: [{ answer: status(404, [["x-amzn-errortype", "ResourceNotFoundException"]], "{}") }], status: 502 },
  { name: "a retry whose dispatch the host refuses", config: RETRYING, request: GET, status: 500,
    steps: [{ answer: THROTTLED, fault: (h) => h.failHostCall("proxy_http_call", WasmResult.BadArgument) }] },
];

async function load(profile: Profile): Promise<Host> {
  return Host.load({ profile, callouts: "capture", allowOnHeadersStopIteration: true });
}

/**
 * Drives `path` one answer at a time; after each, asserts that the filter replied xor dispatched exactly
 * one callout (on Envoy a retry may wait for a tick). Returns the status of the reply.
 */
async function driveStepwise(profile: Profile, path: Path): Promise<number> {
  const host = await load(profile);
  const root = host.configure(path.config);
  assert.ok(root.accepted, host.getLogs().map((l) => l.message).join(" | "));
  const started = await host.request(root.rootId, path.request, { keepStream: true });
  const stream = started.streamId;
  for (const [i, step] of path.steps.entries()) {
    const pending = host.getPendingCallouts().filter((c) => c.streamId === stream);
    assert.equal(pending.length, 1, `step ${i}: one callout waits for its answer`);
    assert.equal(host.getLocalResponse(stream), undefined, `step ${i}: no reply yet`);
    const callouts = host.getCallouts().length;
    if (step.delayMs) await sleep(step.delayMs);
    const removeFault = step.fault?.(host);
    host.callOnHttpCallResponse(pending[0].rootId, pending[0].token, step.answer);
    // Envoy retries after a backoff, on the root's tick; APISIX has no ticks and dispatches at once.
    for (let ticks = 0; ticks < 40 && !host.getLocalResponse(stream) && host.getCallouts().length === callouts && host.getTickPeriod(root.rootId) > 0; ticks++) {
      await sleep(host.getTickPeriod(root.rootId));
      host.callOnTick(root.rootId);
    }
    removeFault?.();
    assert.equal(host.failed, false, host.trap?.message);
    const replied = host.getLocalResponse(stream) !== undefined;
    const dispatched = host.getCallouts().length - callouts;
    assert.ok(replied ? dispatched === 0 : dispatched === 1, `step ${i}: replied ${replied}, ${dispatched} new callouts`);
    if (replied) {
      assert.equal(i, path.steps.length - 1, `step ${i}: replied before the path's last answer`);
      return host.getLocalResponse(stream)!.status;
    }
  }
  assert.fail("the last answer left the request without a reply");
}

/** The same path as APISIX drives a whole request (proxy-wasm.lua's loop): never continued upstream. */
async function driveWhole(path: Path): Promise<void> {
  const host = await load("apisix");
  const root = host.configure(path.config).rootId;
  let step = 0;
  let removeFault: (() => void) | undefined;
  const reply = await host.request(root, path.request, {
    answer: async () => {
      removeFault?.();
      const current = path.steps[step++];
      if (current.delayMs) await sleep(current.delayMs);
      removeFault = current.fault?.(host);
      return current.answer;
    },
  });
  removeFault?.();
  assert.equal(reply.continued, false, "the request went on to the route's upstream (fail-open)");
  assert.equal(reply.status, path.status, reply.body.toString());
  assert.equal(step, path.steps.length);
}

for (const profile of PROFILES) {
  describe(`${profile}: every callout answer ends in a reply or exactly one new callout`, () => {
    for (const path of PATHS) {
      test(path.name, async () => {
        assert.equal(await driveStepwise(profile, path), path.status);
        if (profile === "apisix") await driveWhole(path);
      });
    }
  });
}
