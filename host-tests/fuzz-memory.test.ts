// No leak: linear memory stops growing once every kind of outcome has been seen. Requests mix success
// (signed, with bodies), every failure kind, 413s, refused configs, reconfiguration mid-flight and clients
// that leave before their callout is answered. `npm test` runs 20,000 requests per profile (warm-up
// 10,000); FUZZ_SCALE ≥ 10 (`npm run fuzz`) runs 100,000 per profile. Seeded: see support/fuzz-run.ts.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { CalloutAnswer, Host, Profile, RequestSpec } from "../emulator/index.ts";
import { SecretSet, signingKey } from "./support/fuzz-checks.ts";
import { FuzzHost, HOST_OPTIONS, upstreamOn } from "./support/fuzz-host.ts";
import { countCases, FUZZ_SCALE, replayHint, reportCases, rng } from "./support/fuzz-run.ts";

const FILE = "fuzz-memory.test.ts";
const PROFILES: Profile[] = ["envoy", "apisix"];
const REQUESTS = FUZZ_SCALE >= 10 ? 100_000 : 20_000;
const WARM_UP = 10_000;

const API_KEY = "apikey-memory-9f8e7d6c5b";
const TOKEN = "session-token-memory-Qw8Zx";
const SECRET_KEYS = ["memorySecret/0/Qw8+Zx3", "memorySecret/1/Qw8+Zx3", "memorySecret/2/Qw8+Zx3"];
// On APISIX no valid config meets a refused callout (the filter refuses a bad upstream at configure time).
const CONFIG = (i: number, profile: Profile) => ({
  function_uri: `https://fn${i % 4}.execute-api.us-east-1.amazonaws.com/stage`, path_prefix: "/aws", max_req_body_size: 4096,
  timeout: 100_000, upstream: i % 7 === 6 && profile === "envoy" ? "refused:0" : upstreamOn(profile, `cluster_${i % 4}`),
  authorization: { apikey: API_KEY, iam: { accesskey: "AKIDMEM", secretkey: SECRET_KEYS[i % 3], ...(i % 2 ? { session_token: TOKEN } : {}) } },
});

/** No log line or metric name may carry these, checked every 500 requests. */
const SECRETS = new SecretSet();
SECRETS.addText("API key", API_KEY);
SECRETS.addText("session token", TOKEN);
for (const secret of SECRET_KEYS) {
  SECRETS.addText("secret key", secret);
  SECRETS.addBytes("signing key", signingKey(secret, "us-east-1", "execute-api"));
}

type Kind = "ok" | "failure" | "bad-status" | "no-status" | "declared-413" | "streamed-413" | "bad-path" | "outside-prefix" | "late" | "left";
const KINDS: Kind[] = ["ok", "ok", "ok", "failure", "bad-status", "no-status", "declared-413", "streamed-413", "bad-path", "outside-prefix", "late", "left"];

/** The request and answer of one outcome; sizes cycle so the largest ones all come during warm-up. */
function plan(kind: Kind, n: number, random: () => number): { req: RequestSpec; answer?: CalloutAnswer | null } {
  const body = Buffer.alloc((n * 37) % 4000, 0x61 + (n % 26));
  const headers: [string, string][] = [["x-n", String(n)], ["x-api-key", "client"], ["content-type", "application/json"]];
  for (let i = 0; i < n % 20; i++) headers.push([`x-extra-${i}`, "v".repeat((n * i) % 300)]);
  const req: RequestSpec = { method: "POST", path: `/aws/item/${n}?q=${"x".repeat(n % 500)}`, headers, body };
  const okBody = Buffer.alloc((n * 53) % 20000, 0x62);
  switch (kind) {
    case "ok": return { req, answer: { headers: [[":status", String(200 + (n % 4))], ["x-fn", "1"], ["connection", "close"]], body: okBody } };
    case "failure": return { req, answer: null };
    case "bad-status": return { req, answer: { headers: [[":status", "2x0"]], body: okBody } };
    case "no-status": return { req, answer: { headers: [["x-fn", "1"]], body: "x" } };
    case "declared-413": return { req: { ...req, headers: [...headers, ["content-length", "5000"]], body: Buffer.alloc(10) } };
    // 6 to 14 chunks of 700–799 bytes: always past max_req_body_size (4096).
    case "streamed-413": return { req: { ...req, chunks: Array.from({ length: 6 + (n % 9) }, () => Buffer.alloc(700 + Math.floor(random() * 100))), body: undefined } };
    case "bad-path": return { req: { ...req, path: `/aws/a/%2e%2e/${n}` } };
    case "outside-prefix": return { req: { ...req, path: `/other/${n}` } };
    default: return { req };
  }
}

/** Drives `count` requests (from request number `start`), failing on a trap or a leaked secret. */
async function drive(fuzzHost: FuzzHost, state: { roots: number[]; late: { rootId: number; token: number }[] }, start: number,
  count: number, random: () => number): Promise<void> {
  const host: Host = fuzzHost.host;
  for (let n = start; n < start + count; n++) {
    if (n % 50 === 0) {
      // Reconfigure: a new root, and the oldest one retired (Envoy deletes it once its streams finished).
      const { rootId, accepted } = host.configure(CONFIG(n / 50, host.profile));
      assert.ok(accepted);
      state.roots.push(rootId);
      if (state.roots.length > 3) host.deleteRoot(state.roots.shift()!);
    }
    if (n % 97 === 0) host.deleteRoot(host.configure({ function_uri: "https://x.example.com", timeout: 5 }).rootId);
    const kind = KINDS[n % KINDS.length];
    const rootId = state.roots[n % state.roots.length];
    const { req, answer } = plan(kind, n, random);
    const reply = await host.request(rootId, req, answer === undefined ? {} : { answer: () => answer });
    assert.equal(host.failed, false, `request ${n} (${kind}): the VM trapped: ${host.trap?.message}`);
    if (kind === "late" || kind === "left") {
      const callout = reply.callout;
      if (!callout) continue; // refused upstream: already answered 500
      if (kind === "left") {
        if (host.profile === "envoy") host.callOnLog(reply.streamId);
        host.callOnDone(reply.streamId);
        host.callOnDelete(reply.streamId);
      }
      state.late.push({ rootId: callout.rootId, token: callout.token });
    }
    // Answer the parked callouts a few requests later, out of order, some after a reconfiguration.
    while (state.late.length > 5) {
      const parked = state.late.splice(Math.floor(random() * state.late.length), 1)[0];
      const stream = host.getPendingCallouts().find((c) => c.token === parked.token)?.streamId;
      host.callOnHttpCallResponse(parked.rootId, parked.token, { headers: [[":status", "200"]], body: "late" });
      if (stream !== undefined && host.getOpenStreams().includes(stream)) {
        if (host.profile === "envoy") host.callOnLog(stream);
        host.callOnDone(stream);
        host.callOnDelete(stream);
      }
    }
    if (n % 500 === 0) {
      assert.deepEqual(SECRETS.leaks(host), []);
      fuzzHost.forget();
    }
  }
}

for (const profile of PROFILES) {
  describe(`${profile}: memory under every outcome`, () => {
    let fuzzHost: FuzzHost;
    before(async () => { fuzzHost = await FuzzHost.start(profile, HOST_OPTIONS); });

    test(`linear memory stays within twice its size after ${WARM_UP} requests, over ${REQUESTS} requests mixing every outcome`, async (t) => {
      const random = rng(`${profile} memory`);
      t.diagnostic(`${profile}: seeded from FUZZ_SEED; replay with ${replayHint(FILE)}`);
      const state = { roots: [] as number[], late: [] as { rootId: number; token: number }[] };
      await drive(fuzzHost, state, 0, WARM_UP, random);
      const warm = fuzzHost.host.memoryBytes();
      const samples: number[] = [];
      for (let done = WARM_UP; done < REQUESTS; done += 5000) {
        await drive(fuzzHost, state, done, Math.min(5000, REQUESTS - done), random);
        samples.push(fuzzHost.host.memoryBytes());
      }
      countCases(`${profile} requests`, REQUESTS);
      t.diagnostic(`${profile}: ${warm} bytes after warm-up, then ${samples.join(", ")}`);
      // The allocator grows linear memory by doubling it, so a late high-water mark (a rare mix of sizes
      // meeting a garbage-collection cycle) shows as one doubling, and a leak as one doubling after
      // another (a stream context per request would pass the bound within a few thousand requests).
      const bound = 2 * warm;
      assert.ok(samples.every((bytes) => bytes <= bound), `memory grew past ${bound} bytes after warm-up: ${warm} → ${samples.join(", ")}`);
    });
  });
}

after(() => reportCases(FILE));
