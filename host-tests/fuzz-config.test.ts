// Hostile plugin configurations on both profiles: every document is accepted, or refused with exactly
// one critical line, never a trap; an accepted one serves requests; no secret reaches a log line.
// Seeded: see support/fuzz-run.ts.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Host, Profile } from "../emulator/index.ts";
import { replyViolations } from "./support/fuzz-checks.ts";
import { clusterUpstreamConfig, configSecrets, hostileConfigText, largeConfigTexts, mutatedConfigText, validConfig } from "./support/fuzz-configs.ts";
import { FuzzHost, rawBytes } from "./support/fuzz-host.ts";
import { fuzz, reportCases, scaled } from "./support/fuzz-run.ts";

const FILE = "fuzz-config.test.ts";
const PROFILES: Profile[] = ["envoy", "apisix"];
const REFUSED = "aws-lambda: configuration refused: ";

const secrets = configSecrets();

/** Configures `text` on a fresh root, checks the outcome, serves one request if accepted, deletes the root. */
async function configureCase(host: Host, text: string): Promise<{ accepted: boolean; problems: string[] }> {
  host.clearLogs();
  const { rootId, accepted } = host.configure(rawBytes(text));
  const problems: string[] = [];
  if (host.failed) return { accepted, problems: [`the VM trapped: ${host.trap?.message}`] };
  const critical = host.getLogs(5).map((l) => l.message);
  // APISIX refuses an empty configuration itself ("bad conf") without calling the filter.
  const hostRefused = host.profile === "apisix" && rawBytes(text).length === 0;
  if (accepted && critical.length > 0) problems.push(`accepted with critical lines: ${critical.join(" | ")}`);
  if (!accepted && !hostRefused && (critical.length !== 1 || !critical[0].startsWith(REFUSED))) {
    problems.push(`refused with ${critical.length} critical lines: ${critical.join(" | ").slice(0, 500)}`);
  }
  problems.push(...secrets.leaks(host));
  if (accepted) {
    host.clearLogs();
    const reply = await host.request(rootId, { method: "POST", path: "/aws/x?y=1", body: "{}" },
      { answer: () => ({ headers: [[":status", "200"]], body: "ok" }) });
    problems.push(...replyViolations(host, reply), ...secrets.leaks(host, reply));
  }
  host.deleteRoot(rootId);
  return { accepted, problems };
}

for (const profile of PROFILES) {
  describe(`${profile}: hostile configurations`, () => {
    let fuzzHost: FuzzHost;
    before(async () => { fuzzHost = await FuzzHost.start(profile); });

    test("every valid configuration is accepted and serves a request", async (t) => {
      await fuzz(t, FILE, `${profile} valid configs`, scaled(2000), fc.asyncProperty(validConfig(profile), async (config) => {
        const host = await fuzzHost.ready();
        fuzzHost.forget();
        const outcome = await configureCase(host, JSON.stringify(config.json));
        assert.deepEqual(outcome.problems, []);
        assert.ok(outcome.accepted, `refused: ${host.getLogs(5).map((l) => l.message).join(" | ")}`);
      }));
    });

    test("a mutated valid configuration is accepted or refused with one critical line, never a trap", async (t) => {
      await fuzz(t, FILE, `${profile} mutated configs`, scaled(9000), fc.asyncProperty(mutatedConfigText(profile), async (text) => {
        const host = await fuzzHost.ready();
        fuzzHost.forget();
        assert.deepEqual((await configureCase(host, text)).problems, []);
      }));
    });

    test("random JSON and hostile documents are accepted or refused with one critical line, never a trap", async (t) => {
      await fuzz(t, FILE, `${profile} hostile documents`, scaled(9000), fc.asyncProperty(hostileConfigText, async (text) => {
        const host = await fuzzHost.ready();
        fuzzHost.forget();
        assert.deepEqual((await configureCase(host, text)).problems, []);
      }));
    });

    if (profile === "apisix") {
      test("an upstream naming a cluster is refused, naming the field and APISIX's host[:port] rule", async (t) => {
        await fuzz(t, FILE, "apisix cluster upstreams", scaled(300), fc.asyncProperty(clusterUpstreamConfig, async (config) => {
          const host = await fuzzHost.ready();
          fuzzHost.forget();
          const outcome = await configureCase(host, JSON.stringify(config.json));
          assert.deepEqual(outcome.problems, []);
          assert.equal(outcome.accepted, false);
          assert.match(host.getLogs(5)[0]?.message ?? "", /configuration refused: property "upstream" validation failed: on APISIX it must be host\[:port\]/);
        }));
      });
    }

    test("documents up to and past 1 MiB are refused or accepted without a trap", async (t) => {
      for (const { label, text } of largeConfigTexts()) {
        const host = await fuzzHost.ready();
        fuzzHost.forget();
        const started = performance.now();
        const outcome = await configureCase(host, text);
        t.diagnostic(`${label}: ${outcome.accepted ? "accepted" : "refused"} in ${(performance.now() - started).toFixed(0)} ms`);
        assert.deepEqual(outcome.problems, [], label);
      }
    });
  });
}

after(() => reportCases(FILE));
