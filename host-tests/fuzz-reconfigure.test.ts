// Reconfiguration under load on both profiles: thousands of interleaved configs (valid and refused),
// requests whose callouts stay pending, answers delivered out of order, clients leaving before their
// answer. Every callout is entirely under the one config its request started on (authority, path,
// API key, signing key and scope), every answer reaches its own request, and a refused config changes
// nothing. Seeded: see support/fuzz-run.ts.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Callout, Host, Profile } from "../emulator/index.ts";
import { calloutViolations, SecretSet, signingKey, type CalloutModel } from "./support/fuzz-checks.ts";
import { mutatedConfigText } from "./support/fuzz-configs.ts";
import { FuzzHost, HOST_OPTIONS, rawBytes, upstreamOn } from "./support/fuzz-host.ts";
import { countCases, fuzz, reportCases, scaled } from "./support/fuzz-run.ts";
import { signatureProblem } from "./support/fuzz-sigv4.ts";

const FILE = "fuzz-reconfigure.test.ts";
const PROFILES: Profile[] = ["envoy", "apisix"];
const REGIONS = ["us-east-1", "eu-west-3", "ap-south-2", "us-gov-west-1"];

/** Config `i` on `profile`: every part that reaches a callout is distinct from every other config's. */
function config(i: number, profile: Profile = "envoy"): { json: object; model: CalloutModel; region: string } {
  const region = REGIONS[i % REGIONS.length];
  const upstream = upstreamOn(profile, `cluster_${i}`);
  const iam = { accessKey: `AKIDROOT${i}`, secretKey: `secret/${i}/Zx9+fuzzKEY${i * 7919}`, ...(i % 2 ? { sessionToken: `token-${i}-q8W` } : {}) };
  return {
    json: { function_uri: `https://api${i}.example.com/stage${i}`, path_prefix: "/aws", upstream,
      authorization: { apikey: `key-${i}-7f3c`, iam: { accesskey: iam.accessKey, secretkey: iam.secretKey,
        ...(iam.sessionToken ? { session_token: iam.sessionToken } : {}), aws_region: region, service: "execute-api" } } },
    model: { scheme: "https", authority: `api${i}.example.com`, upstream, basePath: `/stage${i}`, apiKey: `key-${i}-7f3c`, iam },
    region,
  };
}

/** Every secret of every config above, and their signing keys. */
const SECRETS = new SecretSet();
for (let i = 0; i <= 30; i++) {
  const { model, region } = config(i);
  SECRETS.addText(`config ${i} secret key`, model.iam!.secretKey);
  SECRETS.addText(`config ${i} API key`, model.apiKey!);
  if (model.iam!.sessionToken) SECRETS.addText(`config ${i} session token`, model.iam!.sessionToken);
  SECRETS.addBytes(`config ${i} signing key`, signingKey(model.iam!.secretKey, region, "execute-api"));
}

type Op =
  | { op: "configure"; config: number }
  | { op: "refused"; text: string }
  | { op: "request"; root: number; method: "GET" | "POST" }
  | { op: "answer"; pick: number; fail: boolean }
  | { op: "leave"; pick: number }
  | { op: "retire"; pick: number };

const opArb = (profile: Profile): fc.Arbitrary<Op> => fc.oneof(
  { weight: 2, arbitrary: fc.nat({ max: 30 }).map((config): Op => ({ op: "configure", config })) },
  { weight: 1, arbitrary: mutatedConfigText(profile).map((text): Op => ({ op: "refused", text })) },
  { weight: 6, arbitrary: fc.record({ root: fc.nat(), method: fc.constantFrom<"GET" | "POST">("GET", "POST") }).map((r): Op => ({ op: "request", ...r })) },
  { weight: 5, arbitrary: fc.record({ pick: fc.nat(), fail: fc.boolean() }).map((r): Op => ({ op: "answer", ...r })) },
  { weight: 1, arbitrary: fc.nat().map((pick): Op => ({ op: "leave", pick })) },
  { weight: 1, arbitrary: fc.nat().map((pick): Op => ({ op: "retire", pick })) },
);

interface Live { rootId: number; config: number }
interface InFlight { streamId: number; callout: Callout; config: number; left: boolean; seq: number }

/** Runs one interleaving; returns the violations found. */
async function runOps(host: Host, ops: Op[]): Promise<string[]> {
  const problems: string[] = [];
  const roots: Live[] = [];
  const inFlight: InFlight[] = [];
  let seq = 0;
  const finish = (streamId: number) => {
    if (host.profile === "envoy") host.callOnLog(streamId);
    host.callOnDone(streamId);
    host.callOnDelete(streamId);
  };
  for (const op of ops) {
    if (host.failed) { problems.push(`the VM trapped: ${host.trap?.message}`); break; }
    if (op.op === "configure") {
      const { rootId, accepted } = host.configure(config(op.config, host.profile).json);
      if (!accepted) problems.push(`config ${op.config} refused`);
      else roots.push({ rootId, config: op.config });
    } else if (op.op === "refused") {
      const before = host.getPendingCallouts().length;
      const { rootId, accepted } = host.configure(rawBytes(op.text));
      if (accepted) roots.push({ rootId, config: -1 }); // a mutation that stayed valid: not used for requests
      else host.deleteRoot(rootId);
      if (host.getPendingCallouts().length !== before) problems.push("configuring changed the pending callouts");
    } else if (op.op === "request") {
      const usable = roots.filter((r) => r.config >= 0);
      if (usable.length === 0) continue;
      const root = usable[op.root % usable.length];
      const n = seq++;
      const reply = await host.request(root.rootId, { method: op.method, path: `/aws/r${n}/x?n=${n}`,
        ...(op.method === "POST" ? { body: `body-${n}` } : {}) });
      // reply.callout, not a search by stream id: APISIX reuses the id of a stream whose client left.
      const callout = reply.callout && host.getPendingCallouts().includes(reply.callout) ? reply.callout : undefined;
      if (!callout) { problems.push(`request ${n} on config ${root.config}: no pending callout (${reply.status} ${reply.body})`); continue; }
      const { model, region } = config(root.config, host.profile);
      problems.push(...calloutViolations(callout, model).map((p) => `config ${root.config}: ${p}`));
      const path = callout.headers.find(([k]) => k === ":path")?.[1];
      if (path !== `${model.basePath}/r${n}/x?n=${n}`) problems.push(`request ${n}: :path ${path}`);
      const signature = await signatureProblem(callout, model.iam!.accessKey, model.iam!.secretKey, region, "execute-api");
      if (signature) problems.push(`request ${n} on config ${root.config}: ${signature}`);
      inFlight.push({ streamId: reply.streamId, callout, config: root.config, left: false, seq: n });
    } else if (op.op === "answer" || op.op === "leave") {
      if (inFlight.length === 0) continue;
      const flight = inFlight[op.pick % inFlight.length];
      if (op.op === "leave") {
        if (!flight.left) finish(flight.streamId);
        flight.left = true;
        continue;
      }
      inFlight.splice(inFlight.indexOf(flight), 1);
      const body = `answer-${flight.seq}`;
      const mark = host.getLogs().length;
      host.callOnHttpCallResponse(flight.callout.rootId, flight.callout.token, op.fail ? null : { headers: [[":status", "200"]], body });
      const reply = host.getLocalResponse(flight.streamId);
      if (flight.left) {
        const dropped = `aws-lambda: dropped a callout response for token ${flight.callout.token} with no waiting request`;
        if (!host.getLogs().slice(mark).some((l) => l.message === dropped)) problems.push(`request ${flight.seq}: a late answer was not dropped`);
      } else if (op.fail ? reply?.status !== 503 && reply?.status !== 504 : reply?.body.toString() !== body) {
        problems.push(`request ${flight.seq} got ${reply?.status} ${reply?.body}, expected ${op.fail ? "503/504" : body}`);
      }
      if (!flight.left) finish(flight.streamId);
    } else {
      // A retired root gets no new requests; Envoy deletes it once its streams are done.
      const idle = roots.filter((r) => !inFlight.some((f) => f.callout.rootId === r.rootId));
      if (idle.length === 0) continue;
      const root = idle[op.pick % idle.length];
      roots.splice(roots.indexOf(root), 1);
      host.deleteRoot(root.rootId);
    }
  }
  for (const flight of inFlight) {
    host.callOnHttpCallResponse(flight.callout.rootId, flight.callout.token, null);
    if (!flight.left) finish(flight.streamId);
  }
  for (const root of roots) host.deleteRoot(root.rootId);
  if (host.failed) problems.push(`the VM trapped: ${host.trap?.message}`);
  return problems;
}

for (const profile of PROFILES) {
  describe(`${profile}: reconfiguration under load`, () => {
    let fuzzHost: FuzzHost;
    before(async () => { fuzzHost = await FuzzHost.start(profile, HOST_OPTIONS); });

    test("each callout is entirely under the config its request started on; refused configs change nothing", async (t) => {
      let ops = 0;
      await fuzz(t, FILE, `${profile} interleavings`, scaled(150), fc.asyncProperty(
        fc.array(opArb(profile), { minLength: 20, maxLength: 160 }), async (sequence) => {
          const host = await fuzzHost.ready();
          fuzzHost.forget();
          ops += sequence.length;
          const problems = await runOps(host, sequence);
          problems.push(...SECRETS.leaks(host));
          assert.deepEqual(problems, []);
        }), { countRuns: false });
      countCases(`${profile} interleaved operations`, ops);
      t.diagnostic(`${profile}: ${ops} operations`);
    });
  });
}

after(() => reportCases(FILE));
