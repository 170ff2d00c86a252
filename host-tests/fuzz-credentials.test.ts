// Hostile answers from credential endpoints, on both profiles: instance metadata, the container endpoint
// and STS answering with failures, odd statuses, malformed JSON and XML, huge values, control characters,
// raw bytes, wrong types, missing fields and past or odd Expirations, and the function calling the
// credentials expired. The filter never traps, always replies, signs only with credentials a well-formed
// unexpired document served (with that document's session token), succeeds when every answer is good,
// and never shows a secret in a log line, reply or metric name. Seeded: see support/fuzz-run.ts.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Callout, CalloutAnswer, Profile } from "../emulator/index.ts";
import { filterReplyHeaders, relayedHeaderViolations, replyViolations, SecretSet } from "./support/fuzz-checks.ts";
import { credentialCase, stepOf, type CredentialCase, type ScriptedAnswer, type Step } from "./support/fuzz-credentials.ts";
import { FuzzHost, HOST_OPTIONS, rawAnswer } from "./support/fuzz-host.ts";
import { fuzz, reportCases, scaled } from "./support/fuzz-run.ts";

const FILE = "fuzz-credentials.test.ts";
const PROFILES: Profile[] = ["envoy", "apisix"];
const CONTAINER_TOKEN = "containerTokenSEKRETfuzz0123456789";
const BASE = { accesskey: "AKIABASEFUZZ", secretkey: "baseSecretSEKRETfuzz/abc+def" };

/** A config whose source is new to the VM (a fresh cache), by case number. */
function configFor(c: CredentialCase, n: number): object {
  const iam = c.source === "instance" ? { credentials: "instance", imds_endpoint: `http://imds-${n}.test` }
    : c.source === "container" ? { credentials: "container", container_endpoint: `http://127.0.0.1:${1024 + (n % 60000)}/creds/${n}` }
    : { ...BASE, assume_role: { role_arn: "arn:aws:iam::123456789012:role/fuzz", sts_endpoint: `http://sts-${n}.test` } };
  return { function_uri: "https://fn.example.com/fn", authorization: { iam: { ...iam, aws_region: "us-east-1" } } };
}

const header = (c: Callout, name: string) => c.headers.find(([k]) => k === name)?.[1];

for (const profile of PROFILES) {
  describe(`${profile}: credential endpoints under hostile answers`, () => {
    let fuzzHost: FuzzHost;
    let n = 0;
    before(async () => {
      fuzzHost = await FuzzHost.start(profile, { ...HOST_OPTIONS, env: { AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN } });
    });

    test("no trap, always a reply, signed only with served credentials, nothing secret shown", async (t) => {
      const outcomes = { signed: 0, unavailable: 0, other: 0 };
      await fuzz(t, FILE, `${profile} credential answers`, scaled(5000), fc.asyncProperty(credentialCase, async (c) => {
        const host = await fuzzHost.ready();
        fuzzHost.forget();
        const { rootId, accepted } = host.configure(configFor(c, ++n));
        assert.ok(accepted, host.getLogs().map((l) => l.message).join(" | "));
        const used: Record<Step, number> = { token: 0, listing: 0, document: 0, sts: 0 };
        const served: ScriptedAnswer[] = [];
        const secrets = new SecretSet();
        secrets.addText("container token", CONTAINER_TOKEN);
        secrets.addText("base secret key", BASE.secretkey);
        const lambdaCalls: Callout[] = [];
        let credentialCalls = 0;
        const answer = (callout: Callout): CalloutAnswer | null => {
          const path = header(callout, ":path") ?? "";
          const step = header(callout, ":authority") === "fn.example.com" ? undefined : stepOf(path, c.source);
          if (step === undefined) {
            lambdaCalls.push(callout);
            const kind = c.lambda[Math.min(lambdaCalls.length - 1, c.lambda.length - 1)];
            return kind === "ok" ? { headers: [[":status", "200"]], body: "fine" }
              : { headers: [[":status", "403"], ["x-amzn-errortype", "ExpiredTokenException"]], body: "{\"message\":\"expired\"}" };
          }
          credentialCalls++;
          const script = c.script[step];
          const scripted = script[Math.min(used[step]++, script.length - 1)];
          served.push(scripted);
          for (const secret of scripted.secrets) secrets.addText(`${step} secret`, secret);
          return rawAnswer(scripted.answer);
        };
        const reply = await host.request(rootId, { method: "GET", path: "/x" }, { answer });
        const problems = replyViolations(host, reply);
        problems.push(...relayedHeaderViolations(filterReplyHeaders(host, reply)));
        problems.push(...secrets.leaks(host, reply));
        if (credentialCalls > 12) problems.push(`${credentialCalls} credential callouts for one request`);
        if (lambdaCalls.length > 2) problems.push(`${lambdaCalls.length} calls of the function (one repeat at most)`);
        for (const call of lambdaCalls) {
          const key = /Credential=([^/]+)\//.exec(header(call, "authorization") ?? "")?.[1];
          const source = served.find((s) => s.valid?.accessKeyId === key);
          if (!source) problems.push(`the function was called with credentials no valid document served (${key?.slice(0, 40)})`);
          else if (header(call, "x-amz-security-token") !== source.valid!.sessionToken) problems.push("the session token is not the document's");
        }
        if (c.allGood && c.lambda[0] === "ok" && reply.status !== 200) problems.push(`every answer good, yet ${reply.status}: ${reply.body}`);
        if (lambdaCalls.length === 0 && !host.failed) {
          const body = reply.body.toString("latin1");
          if (reply.status !== 503 || !body.includes("aws_lambda_credentials_unavailable")) problems.push(`no function call, yet ${reply.status} ${body}`);
        }
        outcomes[reply.status === 200 ? "signed" : reply.status === 503 ? "unavailable" : "other"]++;
        fuzzHost.finishStreams();
        host.deleteRoot(rootId);
        assert.deepEqual(problems, []);
      }));
      assert.deepEqual(fuzzHost.traps, []);
      // Both outcomes must be common, or the properties say little about one of them.
      t.diagnostic(JSON.stringify(outcomes));
      const total = outcomes.signed + outcomes.unavailable + outcomes.other;
      assert.ok(outcomes.signed > total / 20 && outcomes.unavailable > total / 20, JSON.stringify(outcomes));
    });
  });
}

after(() => reportCases(FILE));
