// When no credentials can be had, on both host profiles: each cause (endpoint unreachable or silent,
// 401/403/404, a malformed or already expired answer, STS refusing, the host refusing the callout) gives a
// 503 aws_lambda_credentials_unavailable naming the source and the cause, one error log line, the metrics,
// and a backoff during which nothing is fetched; nothing secret anywhere.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Host, Profile, Reply } from "../emulator/index.ts";
import { PROFILES, configure, json } from "./support/filter-host.ts";
import { CONTAINER_TOKEN, CredentialRig, ROLE_ARN, errorLines, leaks, secretsOf } from "./support/credential-rig.ts";
import { LoopbackServer } from "./support/credential-stand-in.ts";

let rig: CredentialRig;
/** A port nothing listens on (a server started and closed). */
let deadPort = 0;
before(async () => {
  rig = await CredentialRig.start();
  const dead = await LoopbackServer.start(() => ({ status: 200 }));
  deadPort = dead.port;
  await dead.close();
  rig.extraAuthorities.push(`127.0.0.1:${deadPort}`);
});
after(() => rig.close());

const metric = (host: Host, name: string) => host.getMetrics().get(`aws_lambda.${name}`)?.value;

interface Case {
  name: string;
  /** Sets the stand-ins up; returns what undoes it. */
  arrange?: () => () => void;
  iam: () => object;
  /** What the reply's message must say: the source, then the cause. */
  message: (profile?: string) => RegExp;
  /** How many requests the failing endpoint receives per attempt. */
  calls: () => number;
  extra?: object;
  env?: Record<string, string>;
  /** Fetches that succeed before the failing one (the base credentials of AssumeRole). */
  baseFetches?: number;
}

const imdsCalls = () => rig.imds.received.length;
const instanceSource = () => `instance metadata ${rig.imds.url} \\(IMDSv2\\)`;

const CASES: Case[] = [
  { name: "instance metadata unreachable", iam: () => ({ credentials: "instance", imds_endpoint: `http://127.0.0.1:${deadPort}` }),
    message: () => /no credentials from instance metadata http:\/\/127\.0\.0\.1:\d+ \(IMDSv2\): the endpoint could not be reached asking for an IMDSv2 token/,
    calls: () => 0 },
  { name: "a token PUT that never comes back (hop limit 1 in a container)", arrange: () => { rig.imds.hangTokenPut = true; return () => { rig.imds.hangTokenPut = false; }; },
    iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url }), extra: { timeout: 300 },
    message: () => new RegExp(`${instanceSource()}: no answer within 300 ms asking for an IMDSv2 token \\(from a container, raise the instance's HttpPutResponseHopLimit to 2\\)`),
    calls: imdsCalls },
  { name: "401 from instance metadata", arrange: () => {
    rig.imds.override = (req) => (req.method === "GET" ? { status: 401, body: "Unauthorized" } : undefined);
    return () => { rig.imds.override = null; };
  }, iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url }),
    message: () => new RegExp(`${instanceSource()}: the role listing was answered 401 \\(IMDSv2 token refused\\)`), calls: imdsCalls },
  { name: "IMDSv1 asked of an instance that requires IMDSv2", iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url, imds_version: "v1" }),
    message: () => new RegExp(`instance metadata ${rig.imds.url} \\(IMDSv1\\): the role listing was answered 401 \\(the instance requires IMDSv2 tokens: leave imds_version at v2\\)`),
    calls: imdsCalls },
  { name: "403: instance metadata turned off", arrange: () => { rig.imds.disabled = true; return () => { rig.imds.disabled = false; }; },
    iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url }),
    message: () => new RegExp(`${instanceSource()}: the IMDSv2 token request was answered 403 \\(instance metadata is turned off or refuses the request\\)`),
    calls: imdsCalls },
  { name: "404: no role attached", arrange: () => { rig.imds.roleName = null; return () => { rig.imds.roleName = "gateway-role"; }; },
    iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url }),
    message: () => new RegExp(`${instanceSource()}: the role listing was answered 404 \\(no IAM role is attached to the instance\\)`), calls: imdsCalls },
  { name: "a malformed credentials document", arrange: () => { rig.imds.document = () => "{\"Code\":\"Success\",\"AccessKeyId\":"; return () => { rig.imds.document = null; }; },
    iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url }),
    message: () => new RegExp(`${instanceSource()}: the answer is not a JSON object`), calls: imdsCalls },
  { name: "credentials that had already expired", arrange: () => {
    rig.imds.lifetimeSeconds = -60;
    rig.imds.rotate();
    return () => { rig.imds.lifetimeSeconds = 6 * 3600; rig.imds.rotate(); };
  }, iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url }),
    message: () => new RegExp(`${instanceSource()}: the credentials had already expired`), calls: imdsCalls },
  // Envoy refuses a callout to a cluster it does not have; APISIX takes any host:port and the call then fails.
  { name: "the host refused the callout (no such cluster / upstream)", iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url,
    imds_upstream: "127.0.0.1:1" }),
    message: (profile?: string) => new RegExp(`${instanceSource()}: ` + (profile === "apisix" ? "the endpoint could not be reached"
      : `the host refused the callout to "127\\.0\\.0\\.1:1" \\(BadArgument\\)`)), calls: imdsCalls },
  { name: "401 from the container endpoint (no token)", iam: () => rig.containerIam, env: {},
    message: () => /no credentials from container endpoint http:\/\/127\.0\.0\.1:\d+: the endpoint answered 401/,
    calls: () => rig.container.received.length },
  { name: "403 from the container endpoint (wrong token)", iam: () => rig.containerIam, env: { AWS_CONTAINER_AUTHORIZATION_TOKEN: "stale-token" },
    message: () => /no credentials from container endpoint http:\/\/127\.0\.0\.1:\d+: the endpoint answered 403/,
    calls: () => rig.container.received.length },
  { name: "STS AccessDenied", arrange: () => { rig.sts.allowedRoles = new Set(); return () => { rig.sts.allowedRoles = null; }; },
    iam: () => ({ credentials: "instance", imds_endpoint: rig.imds.url, assume_role: rig.assumeRole() }),
    message: () => new RegExp(`no credentials from STS AssumeRole of ${ROLE_ARN.replace(/\//g, "\\/")} at ${rig.sts.url}: STS answered 403 AccessDenied`),
    calls: () => rig.sts.received.length, baseFetches: 1 },
];

function assertUnavailable(reply: Reply, message: RegExp): void {
  assert.equal(reply.status, 503, reply.body.toString());
  const body = json(reply);
  assert.equal(body.error, "aws_lambda_credentials_unavailable");
  assert.match(body.message, message);
}

for (const profile of PROFILES) {
  const envoy = profile === "envoy";
  describe(`${profile}: no credentials`, () => {
    for (const c of CASES) {
      test(`${c.name}: 503 naming source and cause, the metrics, then a backoff`, async () => {
        const undo = c.arrange?.() ?? (() => {});
        try {
          const host = await rig.host(profile as Profile, { env: c.env ?? { AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN } });
          const root = configure(host, rig.config(c.iam(), c.extra));
          const lambdaCalls = rig.lambda.received.length;
          const first = await host.request(root, { path: "/f" });
          assertUnavailable(first, c.message(profile));
          const lines = errorLines(host);
          assert.equal(lines.length, 1, lines.join("\n"));
          assert.match(lines[0], /^aws-lambda: GET \/f: no credentials from .* \(503\)$/);
          if (envoy) {
            assert.equal(metric(host, "credentials_unavailable_total"), 1);
            assert.equal(metric(host, "credentials_refresh_failures_total"), 1);
            assert.equal(metric(host, "credentials_refreshes_total"), c.baseFetches ?? 0);
          }
          // Backoff: the next request fails fast, without a call to the endpoint.
          const calls = c.calls();
          const second = await host.request(root, { path: "/f" });
          assertUnavailable(second, /\(next attempt in 1 s\)$/);
          assert.equal(c.calls(), calls, "no fetch during the backoff");
          // After it, one new attempt, and a longer backoff.
          rig.clock.advance(1500);
          const third = await host.request(root, { path: "/f" });
          assertUnavailable(third, c.message(profile));
          const fourth = await host.request(root, { path: "/f" });
          assertUnavailable(fourth, /\(next attempt in 2 s\)$/);
          if (envoy) assert.equal(metric(host, "credentials_refresh_failures_total"), 2);
          assert.equal(rig.lambda.received.length, lambdaCalls, "the function is never called");
          assert.deepEqual(leaks(host, secretsOf(rig), [first.body, second.body, third.body, fourth.body]), []);
        } finally {
          undo();
        }
      });
    }
  });
}
