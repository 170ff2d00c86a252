// The Invoke API mode (function_uri is a Lambda ARN) on both profiles: hostile client requests and hostile
// Invoke API answers (broken proxy-integration replies, random JSON, throttling, errors with hostile
// headers). The filter never traps, every request is answered or pending, every callout is signed for
// the configured function's endpoint, nothing unsafe is relayed, and no secret leaks. Seeded: see
// support/fuzz-run.ts.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Callout, Profile } from "../emulator/index.ts";
import { calloutViolations, filterReplyHeaders, relayedHeaderViolations, replyViolations } from "./support/fuzz-checks.ts";
import { configSecrets } from "./support/fuzz-configs.ts";
import { FuzzHost, HOST_OPTIONS, rawAnswer, rawRequest } from "./support/fuzz-host.ts";
import { invokeAnswerArb, invokeConfig } from "./support/fuzz-invoke.ts";
import { requestArb } from "./support/fuzz-requests.ts";
import { fuzz, reportCases, scaled } from "./support/fuzz-run.ts";

const FILE = "fuzz-invoke.test.ts";
const PROFILES: Profile[] = ["envoy", "apisix"];

for (const profile of PROFILES) {
  describe(`${profile}: Invoke API mode under hostile requests and answers`, () => {
    let fuzzHost: FuzzHost;
    before(async () => { fuzzHost = await FuzzHost.start(profile, HOST_OPTIONS); });

    test("every request is answered or pending, every Invoke API call is signed for its function, nothing unsafe is relayed", async (t) => {
      const secrets = configSecrets();
      await fuzz(t, FILE, `${profile} invoke requests`, scaled(5000), fc.asyncProperty(invokeConfig, requestArb, invokeAnswerArb,
        async (config, req, answer) => {
          const host = await fuzzHost.ready();
          fuzzHost.forget();
          const { rootId, accepted } = host.configure(config.json);
          assert.ok(accepted, `valid config refused: ${host.getLogs().map((l) => l.message).join(" | ")}`);
          const callouts: Callout[] = [];
          const reply = await host.request(rootId, rawRequest(req), { answer: (c) => { callouts.push(c); return rawAnswer(answer); } });
          const problems = replyViolations(host, reply);
          for (const callout of callouts) {
            problems.push(...calloutViolations(callout, config.model));
            secrets.addSigningKeyOf(callout, config.model.iam!.secretKey);
          }
          if (callouts.length > 1 + config.maxRetries) problems.push(`${callouts.length} callouts with max_retries ${config.maxRetries}`);
          problems.push(...relayedHeaderViolations(filterReplyHeaders(host, reply)));
          problems.push(...secrets.leaks(host, reply));
          host.deleteRoot(rootId);
          assert.deepEqual(problems, []);
        }));
    });
  });
}

after(() => reportCases(FILE));
