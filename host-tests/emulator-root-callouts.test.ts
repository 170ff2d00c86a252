// The emulator's callouts of no stream: on Envoy a filter may dispatch a callout while the effective
// context is a root (the credential fetch many requests wait for); request() answers those too, each
// exactly once however many requests wait, and tick() runs a tick with the root callouts it leads to.
// Driven with the real filter (instance credentials) in capture mode with an answer function.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Host, type Callout, type CalloutAnswer, type Profile } from "../emulator/index.ts";

const CONFIG = { function_uri: "https://fn.example.com/", authorization: { iam: { credentials: "instance", imds_endpoint: "http://imds.test" } } };

/** A clock tests move, for the WASI realtime clock. */
const clock = { offset: 0, now: () => Date.now() + clock.offset };

/** Instance metadata and the function, by path; counts how often each callout token was answered. */
function answering(answered: Map<number, number>) {
  return async (c: Callout): Promise<CalloutAnswer> => {
    answered.set(c.token, (answered.get(c.token) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 5)); // an answer that takes a while, as over the network
    const path = c.headers.find(([k]) => k === ":path")?.[1];
    if (path === "/latest/api/token") return { headers: [[":status", "200"]], body: "token-1" };
    if (path === "/latest/meta-data/iam/security-credentials/") return { headers: [[":status", "200"]], body: "role" };
    if (path === "/latest/meta-data/iam/security-credentials/role") {
      return { headers: [[":status", "200"]], body: JSON.stringify({ Code: "Success", AccessKeyId: "ASIAROOT", SecretAccessKey: "s",
        Token: "t", Expiration: new Date(clock.now() + 3600_000).toISOString() }) };
    }
    return { headers: [[":status", "200"]], body: "fn" };
  };
}

describe("envoy: callouts made on a root context", () => {
  test("concurrent request() calls answer a root callout exactly once and all get their reply", async () => {
    const host = await Host.load({ profile: "envoy", now: clock.now });
    const { rootId } = host.configure(CONFIG);
    const answered = new Map<number, number>();
    const replies = await Promise.all([1, 2, 3].map(() => host.request(rootId, { path: "/" }, { answer: answering(answered) })));
    assert.deepEqual(replies.map((r) => [r.status, r.body.toString()]), [[200, "fn"], [200, "fn"], [200, "fn"]]);
    const rootCallouts = host.getCallouts().filter((c) => c.streamId === 0);
    assert.equal(rootCallouts.length, 3, "one fetch: token, role, credentials");
    assert.deepEqual(rootCallouts.map((c) => answered.get(c.token)), [1, 1, 1]);
    assert.deepEqual(host.getPendingCallouts(), []);
  });

  test("tick() runs proxy_on_tick and answers the root callouts it leads to; answerRootCallouts() those left pending", async () => {
    const host = await Host.load({ profile: "envoy", now: clock.now });
    const { rootId } = host.configure(CONFIG);
    const answered = new Map<number, number>();
    assert.equal((await host.request(rootId, { path: "/" }, { answer: answering(answered) })).status, 200);
    assert.equal(host.getTickPeriod(rootId), 1000);
    assert.deepEqual(await host.tick(rootId, { answer: answering(answered) }), { ticked: true, answered: 0 }, "nothing due");
    clock.offset += 3400_000; // inside the refresh window
    assert.deepEqual(await host.tick(rootId, { answer: answering(answered) }), { ticked: true, answered: 3 });
    clock.offset += 3400_000;
    host.callOnTick(rootId);
    assert.equal(host.getPendingCallouts().length, 1);
    assert.equal(await host.answerRootCallouts(), 0, "capture mode without an answer function answers nothing");
    assert.equal(await host.answerRootCallouts({ answer: answering(answered) }), 3);
    assert.deepEqual(host.getPendingCallouts(), []);
    clock.offset = 0;
  });
});

describe("apisix: no callouts of no stream", () => {
  test("credential callouts belong to the request, and tick() does nothing (APISIX has no timers for wasm)", async () => {
    const host = await Host.load({ profile: "apisix" as Profile, now: clock.now });
    const { rootId } = host.configure(CONFIG);
    const reply = await host.request(rootId, { path: "/" }, { answer: answering(new Map()) });
    assert.equal(reply.status, 200);
    const callouts = host.getCallouts();
    assert.equal(callouts.length, 4);
    assert.ok(callouts.every((c) => c.streamId === reply.streamId));
    assert.deepEqual(await host.tick(rootId), { ticked: false, answered: 0 });
  });
});
