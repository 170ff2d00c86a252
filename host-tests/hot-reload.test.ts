// The hot-reload flow of examples/envoy-hot-reload, through the host emulator: the example's plugin
// configs are swapped in while requests flow (API key → IAM), a bad config is refused and the previous
// one keeps serving, and requests in flight finish under the config they started with.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Host, type Callout } from "../emulator/index.ts";
import { headerValues } from "./support/filter-host.ts";

const example = (name: string) => readFileSync(new URL(`../examples/envoy-hot-reload/${name}`, import.meta.url), "utf8");
const env = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const ok = () => ({ headers: [[":status", "200"]] as [string, string][], body: "ok" });

test("swapping API key → IAM mid-traffic: each request is served wholly under one config", async () => {
  const host = await Host.load({ profile: "envoy", allowOnHeadersStopIteration: true, callouts: "capture", env });
  let live = host.configure(example("apikey.json"));
  assert.ok(live.accepted);
  const inFlight: { streamId: number; config: string }[] = [];
  for (let i = 0; i < 60; i++) {
    if (i === 20) {
      const next = host.configure(example("iam.json"));
      assert.ok(next.accepted);
      live = next;
    }
    if (i === 40) assert.equal(host.configure(example("bad.json")).accepted, false, "the bad config is refused");
    const reply = await host.request(live.rootId, { path: `/aws/item/${i}` }, { keepStream: true });
    inFlight.push({ streamId: reply.streamId, config: i < 20 ? "apikey" : "iam" });
  }
  // Answer every pending callout, newest first, after all the swaps.
  const pending = host.getPendingCallouts().reverse();
  assert.equal(pending.length, 60);
  for (const callout of pending) host.callOnHttpCallResponse(callout.rootId, callout.token, ok());
  const byStream = new Map<number, Callout>(host.getCallouts().map((c) => [c.streamId, c]));
  for (const { streamId, config } of inFlight) {
    const callout = byStream.get(streamId)!;
    const authority = headerValues(callout.headers, ":authority")[0];
    if (config === "apikey") {
      assert.equal(authority, "x9w6z07gb9.execute-api.us-east-1.amazonaws.com");
      assert.equal(headerValues(callout.headers, "x-api-key").length, 1);
      assert.equal(headerValues(callout.headers, "authorization").length, 0);
    } else {
      assert.equal(authority, "ajycz5e0v9.execute-api.us-east-1.amazonaws.com");
      assert.equal(callout.upstream, "aws_lambda_iam");
      assert.match(headerValues(callout.headers, "authorization")[0], /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    }
    assert.equal(host.getLocalResponse(streamId)?.status, 200);
  }
  assert.equal(host.failed, false);
});

test("after a refused config the last accepted one keeps serving", async () => {
  const host = await Host.load({ profile: "envoy", allowOnHeadersStopIteration: true, callouts: "capture", env });
  const good = host.configure(example("iam.json"));
  assert.ok(good.accepted);
  assert.equal(host.configure(example("bad.json")).accepted, false);
  assert.match(host.getLogs(5).at(-1)!.message, /property "timeout" validation failed: expected 50 to be at least 100/);
  const reply = await host.request(good.rootId, { path: "/aws/x" }, { answer: ok });
  assert.equal(reply.status, 200);
  assert.equal(headerValues(reply.callout!.headers, ":authority")[0], "ajycz5e0v9.execute-api.us-east-1.amazonaws.com");
});
