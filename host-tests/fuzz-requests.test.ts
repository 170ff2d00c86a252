// Hostile client requests and host answers on both profiles: the filter never traps, every request is
// answered (or its callout is pending), every callout keeps to its config whatever the client sent, and
// no secret reaches a log line, a reply or a metric name. Seeded: see support/fuzz-run.ts.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Callout, Pairs, Profile, RequestSpec } from "../emulator/index.ts";
import { calloutViolations, filterReplyHeaders, relayedHeaderViolations, replyViolations } from "./support/fuzz-checks.ts";
import { configSecrets, validConfig, type ModelledConfig } from "./support/fuzz-configs.ts";
import { FuzzHost, HOST_OPTIONS, rawAnswer, rawRequest, substituteRaw } from "./support/fuzz-host.ts";
import { answerArb, expectedStatuses, requestArb, type AnswerPlan } from "./support/fuzz-requests.ts";
import { fuzz, reportCases, scaled } from "./support/fuzz-run.ts";

const FILE = "fuzz-requests.test.ts";
const PROFILES: Profile[] = ["envoy", "apisix"];

function bodyOf(req: RequestSpec): Buffer {
  const parts = req.chunks ?? (req.body !== undefined ? [req.body] : []);
  return Buffer.from(substituteRaw(Buffer.concat(parts.map((p) => Buffer.from(p)))));
}

/** What the request must get when no callout was made: a JSON error the filter chose before calling. */
function refusalViolations(status: number, body: Buffer): string[] {
  if (![400, 404, 413, 500].includes(status)) return [`refused with status ${status}`];
  try {
    const parsed = JSON.parse(body.toString("utf8"));
    return typeof parsed.error === "string" && parsed.error.startsWith("aws_lambda_") ? [] : [`error body without error kind: ${body}`];
  } catch {
    return [`error body is not JSON: ${body.toString("utf8").slice(0, 100)}`];
  }
}

/** The declared content-length the filter honours: the first one, digits only. */
function declaredLength(headers: Pairs): number {
  const first = headers.find(([k]) => k.toLowerCase() === "content-length");
  return first && /^\d{1,18}$/.test(first[1]) ? Number(first[1]) : -1;
}

for (const profile of PROFILES) {
  describe(`${profile}: hostile requests and host answers`, () => {
    let fuzzHost: FuzzHost;
    before(async () => { fuzzHost = await FuzzHost.start(profile, HOST_OPTIONS); });

    test("every request is answered or pending, every callout keeps to its config, no secret leaks", async (t) => {
      const secrets = configSecrets();
      await fuzz(t, FILE, `${profile} requests`, scaled(10000), fc.asyncProperty(validConfig(profile), requestArb, answerArb,
        async (config: ModelledConfig, req: RequestSpec, plan: AnswerPlan) => {
          const host = await fuzzHost.ready();
          fuzzHost.forget();
          const { rootId, accepted } = host.configure(config.json);
          assert.ok(accepted, `valid config refused: ${host.getLogs().map((l) => l.message).join(" | ")}`);
          const callouts: Callout[] = [];
          const reply = await host.request(rootId, rawRequest(req), { answer: (c) => { callouts.push(c); return rawAnswer(plan.answer); } });
          const problems = replyViolations(host, reply);
          const body = bodyOf(req);
          const model = config.model;
          for (const callout of callouts) {
            problems.push(...calloutViolations(callout, model, req.headers as Pairs));
            if (!callout.body.equals(body)) problems.push(`callout body (${callout.body.length} bytes) is not the client's (${body.length} bytes)`);
            if (model.iam) secrets.addSigningKeyOf(callout, model.iam.secretKey);
          }
          if (callouts.length > 1) problems.push(`${callouts.length} callouts for one request`);
          if (body.length > model.maxBody || declaredLength(req.headers as Pairs) > model.maxBody) {
            // The path is checked first (400/404); the body never reaches the function either way.
            if (callouts.length > 0 || ![400, 404, 413].includes(reply.status)) problems.push(`a body over max_req_body_size got ${reply.status}`);
          }
          if (callouts.length === 0 && reply.status > 0) problems.push(...refusalViolations(reply.status, reply.body));
          if (callouts.length === 1 && !expectedStatuses(plan).includes(reply.status)) {
            problems.push(`answer ${plan.kind} relayed as ${reply.status}, expected one of ${expectedStatuses(plan)}`);
          }
          if (callouts.length === 1 && plan.kind === "ok") {
            const expected = substituteRaw(Buffer.from(plan.answer!.body as Buffer));
            if (!reply.body.equals(expected)) problems.push(`relayed body differs (${reply.body.length} vs ${expected.length} bytes)`);
            problems.push(...relayedHeaderViolations(filterReplyHeaders(host, reply)));
          }
          // A relayed body is the function's own (checked equal above); scan what the filter wrote.
          const relayed = callouts.length === 1 && plan.kind === "ok";
          problems.push(...secrets.leaks(host, relayed ? undefined : reply));
          host.deleteRoot(rootId);
          assert.deepEqual(problems, []);
        }));
    });
  });
}

after(() => reportCases(FILE));
