// Host faults on both profiles: callbacks with ids, tokens, counts and sizes out of any sane range, and
// host functions failing at random under ordinary traffic. The filter never traps, never lets a request
// past itself, and every callout it still makes keeps to its config. Seeded: see support/fuzz-run.ts.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { WasmResult, type Callout, type Profile } from "../emulator/index.ts";
import { calloutViolations } from "./support/fuzz-checks.ts";
import { configSecrets, validConfig } from "./support/fuzz-configs.ts";
import { deliverRaw, injectFaults, rawCallArb } from "./support/fuzz-faults.ts";
import { FuzzHost, HOST_OPTIONS, rawAnswer, rawRequest } from "./support/fuzz-host.ts";
import { answerArb, requestArb } from "./support/fuzz-requests.ts";
import { fuzz, reportCases, scaled, seededRandom } from "./support/fuzz-run.ts";

const FILE = "fuzz-host-faults.test.ts";
const PROFILES: Profile[] = ["envoy", "apisix"];
const SECRETS = configSecrets();
const FAILURES = [WasmResult.NotFound, WasmResult.BadArgument, WasmResult.InvalidMemoryAccess, WasmResult.InternalFailure, WasmResult.Unimplemented];

/** A trap's message and the top of its stack: a JS error here is an emulator bug, a RuntimeError the filter's. */
function trapReport(fuzzHost: FuzzHost): string {
  const trap = fuzzHost.host.trap;
  return `the VM trapped: ${trap?.name}: ${trap?.message}\n${trap?.stack?.split("\n").slice(1, 6).join("\n")}`;
}

for (const profile of PROFILES) {
  describe(`${profile}: host faults`, () => {
    let fuzzHost: FuzzHost;
    before(async () => { fuzzHost = await FuzzHost.start(profile, HOST_OPTIONS); });

    test("callbacks with out-of-range ids, tokens, counts and sizes never trap", async (t) => {
      await fuzz(t, FILE, `${profile} raw callbacks`, scaled(4000), fc.asyncProperty(validConfig(profile),
        fc.array(rawCallArb, { minLength: 1, maxLength: 12 }), async (config, calls) => {
          const host = await fuzzHost.ready();
          fuzzHost.forget();
          const { rootId } = host.configure(config.json);
          // A request left waiting on its callout, so stray answers have something to hit.
          await host.request(rootId, { method: "POST", path: "/aws/x", body: "{}" });
          for (const call of calls) {
            try { deliverRaw(host, call); } catch { /* the trap is reported below */ }
            assert.equal(host.failed, false, `${JSON.stringify(call)}: ${trapReport(fuzzHost)}`);
          }
          for (const pending of host.getPendingCallouts()) host.callOnHttpCallResponse(pending.rootId, pending.token, null);
          fuzzHost.finishStreams();
          assert.equal(host.failed, false, trapReport(fuzzHost));
          assert.deepEqual(SECRETS.leaks(host), []);
          host.deleteRoot(rootId);
        }));
    });

    test("with host functions failing at random, requests never trap and callouts keep to their config", async (t) => {
      // A fresh VM: the raw callbacks above may include proxy_on_vm_start, which only Envoy sends and from
      // which the filter tells the hosts apart (on APISIX it would then wait for no body and misread replies).
      await fuzzHost.reload();
      await fuzz(t, FILE, `${profile} failing host functions`, scaled(3500), fc.asyncProperty(validConfig(profile), requestArb, answerArb,
        fc.integer({ min: 1, max: 40 }), fc.nat(), async (config, req, plan, percent, faultSeed) => {
          const random = seededRandom(faultSeed);
          const host = await fuzzHost.ready();
          fuzzHost.forget();
          const { rootId, accepted } = host.configure(config.json);
          if (!accepted) return; // a fault during configure refuses the config: nothing to request
          const callouts: Callout[] = [];
          const restore = injectFaults(host, random, { rate: percent / 100, statuses: FAILURES, spare: [] });
          let reply;
          try {
            reply = await host.request(rootId, rawRequest(req), { answer: (c) => { callouts.push(c); return rawAnswer(plan.answer); } });
          } finally {
            restore();
          }
          const problems = host.failed ? [trapReport(fuzzHost)] : [];
          // On APISIX the callout-response callback's result is ignored: a local reply the host refuses
          // there lets the request go on, and nothing in the filter can change that. Everywhere else,
          // continuing means the filter was bypassed.
          if (reply.continued && (profile === "envoy" || callouts.length === 0)) problems.push("the request bypassed the filter");
          for (const callout of callouts) {
            problems.push(...calloutViolations(callout, config.model));
            if (config.model.iam) SECRETS.addSigningKeyOf(callout, config.model.iam.secretKey);
          }
          problems.push(...SECRETS.leaks(host, reply));
          for (const pending of host.getPendingCallouts()) host.callOnHttpCallResponse(pending.rootId, pending.token, null);
          fuzzHost.finishStreams();
          host.deleteRoot(rootId);
          assert.deepEqual(problems, []);
        }));
    });
  });
}

after(() => reportCases(FILE));
