// Credentials that rotate, end to end on both host profiles: instance metadata (IMDSv2, IMDSv1 on request),
// the container endpoint, the chain, and AssumeRole on top, against loopback stand-ins written from the
// AWS docs; the Lambda stand-ins accept only the temporary credentials those issued. Each test loads a
// fresh VM, since credential caches live per VM.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Host, Profile } from "../emulator/index.ts";
import { PROFILES, configure, json } from "./support/filter-host.ts";
import { headerOf } from "./support/credential-stand-in.ts";
import { BASE_KEYS, CONTAINER_TOKEN, CredentialRig, ROLE_ARN, errorLines, leaks, secretsOf } from "./support/credential-rig.ts";

let rig: CredentialRig;
before(async () => { rig = await CredentialRig.start(); });
after(() => rig.close());

const metric = (host: Host, name: string) => host.getMetrics().get(`aws_lambda.${name}`)?.value;
/** The IMDS counts now, to compare after a step. */
const imdsCounts = () => ({ ...rig.imds.counts });
const fetchesSince = (before: { documents: number; tokenPuts: number }) =>
  ({ puts: rig.imds.counts.tokenPuts - before.tokenPuts, documents: rig.imds.counts.documents - before.documents });
const signer = (reply: { body: Buffer }) => json(reply as any).accessKey;

function assertNoLeaks(host: Host, bodies: Buffer[] = []): void {
  assert.deepEqual(leaks(host, secretsOf(rig), bodies), []);
}

for (const profile of PROFILES) {
  const envoy = profile === "envoy";
  /** A fresh VM; the stand-ins serve new credentials with their usual lifetime (earlier tests moved the clock). */
  const load = (options = {}) => {
    rig.imds.lifetimeSeconds = 6 * 3600;
    rig.imds.rotate();
    rig.container.rotate();
    return rig.host(profile as Profile, options);
  };

  describe(`${profile}: instance credentials (IMDSv2)`, () => {
    test("the first request fetches (token, role, credentials), later ones and other routes reuse them", async () => {
      const host = await load();
      const root = configure(host, rig.config(rig.instance));
      assert.match(host.getLogs().map((l) => l.message).join("\n"), /credentials from instance metadata http:\/\/127\.0\.0\.1:\d+ \(IMDSv2\)/);
      const start = imdsCounts();
      const seen = rig.imds.received.length;
      const first = await host.request(root, { path: "/a" });
      assert.equal(first.status, 200, first.body.toString());
      assert.deepEqual(json(first), { accessKey: rig.imds.credentials.accessKeyId, token: true });
      assert.deepEqual(fetchesSince(start), { puts: 1, documents: 1 });
      const [put, listing, document] = rig.imds.received.slice(seen);
      assert.deepEqual([put.method, put.path], ["PUT", "/latest/api/token"]);
      assert.equal(headerOf(put, "x-aws-ec2-metadata-token-ttl-seconds"), "21600");
      assert.equal(headerOf(put, "x-forwarded-for"), undefined, "IMDSv2 refuses token PUTs with X-Forwarded-For");
      assert.equal(listing.path, "/latest/meta-data/iam/security-credentials/");
      assert.equal(document.path, "/latest/meta-data/iam/security-credentials/gateway-role");
      assert.ok(headerOf(listing, "x-aws-ec2-metadata-token") && headerOf(document, "x-aws-ec2-metadata-token"));
      const signed = rig.lambda.last.headers.find(([k]) => k === "x-amz-security-token")?.[1];
      assert.equal(signed, rig.imds.credentials.sessionToken);

      for (let i = 0; i < 3; i++) assert.equal(signer(await host.request(root, { path: "/b" })), rig.imds.credentials.accessKeyId);
      const otherRoute = configure(host, rig.config(rig.instance, { path_prefix: "/other" }));
      assert.equal((await host.request(otherRoute, { path: "/other/x" })).status, 200);
      assert.deepEqual(fetchesSince(start), { puts: 1, documents: 1 }, "one fetch for the VM");
      if (envoy) {
        assert.equal(metric(host, "credentials_refreshes_total"), 1);
        const expiry = metric(host, "credentials_expiry_seconds")!;
        assert.ok(expiry > 6 * 3600 - 60 && expiry <= 6 * 3600, String(expiry));
      }
      assertNoLeaks(host, [first.body]);
    });

    test(envoy ? "concurrent cold requests share one fetch" : "concurrent cold requests each fetch (APISIX holds a request only for its own callout)", async () => {
      const host = await load();
      const root = configure(host, rig.config(rig.instance));
      const start = imdsCounts();
      const replies = await Promise.all(Array.from({ length: 4 }, (_, i) => host.request(root, { path: `/c${i}` })));
      assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200]);
      assert.deepEqual(fetchesSince(start), envoy ? { puts: 1, documents: 1 } : { puts: 4, documents: 4 });
      assert.deepEqual(new Set(replies.map(signer)), new Set([rig.imds.credentials.accessKeyId]));
      // Once cached, concurrent requests fetch nothing on either host.
      await Promise.all(Array.from({ length: 3 }, () => host.request(root, { path: "/d" })));
      assert.deepEqual(fetchesSince(start), envoy ? { puts: 1, documents: 1 } : { puts: 4, documents: 4 });
    });

    test(envoy ? "refreshed in the background on a tick before expiry; requests sign with the old until the new arrive"
      : "refreshed by the first request that finds them due (APISIX has no ticks)", async () => {
      const host = await load();
      const root = configure(host, rig.config(rig.instance));
      rig.imds.lifetimeSeconds = 3600;
      const old = rig.imds.rotate();
      assert.equal(signer(await host.request(root, { path: "/" })), old.accessKeyId);
      const fresh = rig.imds.rotate(); // EC2 has new credentials at least 5 minutes before the old expire
      const start = imdsCounts();
      assert.deepEqual(await host.tick(root), { ticked: envoy, answered: 0 }, "not due yet: no fetch");
      // Past Expiration - 5 min (the refresh point, jitter included) and before Expiration.
      rig.clock.advance((3600 - 300) * 1000);
      if (envoy) {
        assert.equal(host.getTickPeriod(root), 1000);
        host.callOnTick(root);
        assert.equal(host.getPendingCallouts().length, 1, "the tick sent the token PUT");
        assert.equal(signer(await host.request(root, { path: "/during" })), old.accessKeyId, "still the old while the new are fetched");
        assert.equal(await host.answerRootCallouts(), 3);
        assert.equal(metric(host, "credentials_refreshes_total"), 2);
        assert.equal(signer(await host.request(root, { path: "/after" })), fresh.accessKeyId);
      } else {
        assert.equal(host.getTickPeriod(root), 0);
        assert.equal(signer(await host.request(root, { path: "/due" })), fresh.accessKeyId, "the request that finds them due refreshes");
        assert.equal(signer(await host.request(root, { path: "/after" })), fresh.accessKeyId);
      }
      assert.deepEqual(fetchesSince(start), { puts: 1, documents: 1 });
    });

    test("an expired token mid-traffic is fetched anew and the call repeated once, and not twice", async () => {
      const host = await load();
      const root = configure(host, rig.config(rig.instance));
      const old = rig.imds.rotate();
      assert.equal(signer(await host.request(root, { path: "/" })), old.accessKeyId);
      rig.expired.add(old.accessKeyId);
      const fresh = rig.imds.rotate();
      const calls = rig.lambda.received.length;
      const start = imdsCounts();
      const repeated = await host.request(root, { path: "/again" });
      assert.equal(repeated.status, 200, repeated.body.toString());
      assert.equal(signer(repeated), fresh.accessKeyId);
      assert.equal(rig.lambda.received.length - calls, 2, "refused once, repeated once");
      assert.deepEqual(fetchesSince(start), { puts: 1, documents: 1 });

      // Instance metadata still serves credentials AWS calls expired: one repeat, then AWS's answer.
      rig.expired.add(fresh.accessKeyId);
      const before = rig.lambda.received.length;
      const refused = await host.request(root, { path: "/still" });
      assert.equal(refused.status, 403);
      assert.equal(rig.lambda.received.length - before, 2);
      assert.ok(errorLines(host).some((l) => l.includes("AWS refused the credentials as expired")), errorLines(host).join("\n"));
      assertNoLeaks(host, [repeated.body, refused.body]);
    });

    test("the Invoke API target signs with instance credentials and repeats once on ExpiredTokenException", async () => {
      const host = await load();
      const root = configure(host, { function_uri: "arn:aws:lambda:us-east-1:123456789012:function:who", upstream: rig.invoke.authority,
        authorization: { iam: rig.instance } });
      const old = rig.imds.rotate();
      const first = await host.request(root, { path: "/" });
      assert.equal(first.status, 200, first.body.toString());
      assert.equal(first.body.toString(), "who");
      assert.equal(rig.invoke.last.request.signed?.accessKey, old.accessKeyId);
      rig.expired.add(old.accessKeyId);
      const fresh = rig.imds.rotate();
      const second = await host.request(root, { path: "/" });
      assert.equal(second.status, 200, second.body.toString());
      assert.equal(rig.invoke.last.request.signed?.accessKey, fresh.accessKeyId);
    });

    test("IMDSv1 only with imds_version v1: no token PUT then; v2 never falls back to it", async () => {
      const host = await load();
      rig.imds.v1Enabled = true;
      try {
        const v1 = configure(host, rig.config({ ...rig.instance, imds_version: "v1" }));
        const start = imdsCounts();
        const seen = rig.imds.received.length;
        assert.equal((await host.request(v1, { path: "/" })).status, 200);
        assert.deepEqual(fetchesSince(start), { puts: 0, documents: 1 });
        assert.ok(rig.imds.received.slice(seen).every((r) => headerOf(r, "x-aws-ec2-metadata-token") === undefined));
        const v2 = configure(host, rig.config(rig.instance));
        assert.equal((await host.request(v2, { path: "/" })).status, 200);
        assert.deepEqual(fetchesSince(start), { puts: 1, documents: 2 });
      } finally {
        rig.imds.v1Enabled = false;
      }
    });
  });

  if (envoy) describe("envoy: the expiry gauge with several sources", () => {
    test("reports the soonest expiry among the sources in use, not whichever fetched last; a source no config uses drops out", async () => {
      const host = await load({ env: { AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN } });
      rig.container.lifetimeSeconds = 3600;
      rig.container.rotate();
      try {
        const gauge = () => metric(host, "credentials_expiry_seconds")!;
        const instanceRoot = configure(host, rig.config(rig.instance));
        const containerRoot = configure(host, rig.config(rig.containerIam, { path_prefix: "/c" }));
        assert.equal((await host.request(containerRoot, { path: "/c/x" })).status, 200);
        // Instance credentials (6 h) fetched after the container's (1 h): the gauge still says the hour.
        assert.equal((await host.request(instanceRoot, { path: "/x" })).status, 200);
        assert.ok(gauge() > 3600 - 60 && gauge() <= 3600, String(gauge()));
        await host.tick(instanceRoot);
        assert.ok(gauge() > 3600 - 60 && gauge() <= 3600, `after the instance root's tick: ${gauge()}`);
        // The container config goes away: once its provider has been idle 10 s, the instance's 6 h are the soonest.
        host.deleteRoot(containerRoot);
        rig.clock.advance(11_000);
        await host.tick(instanceRoot);
        assert.ok(gauge() > 6 * 3600 - 60 - 11 && gauge() <= 6 * 3600 - 11, String(gauge()));
      } finally {
        rig.container.lifetimeSeconds = 6 * 3600;
        rig.container.rotate();
      }
    });
  });

  describe(`${profile}: container credentials`, () => {
    test("the container endpoint gets AWS_CONTAINER_AUTHORIZATION_TOKEN as Authorization, verbatim", async () => {
      const host = await load({ env: { AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN } });
      const root = configure(host, rig.config(rig.containerIam));
      const seen = rig.container.received.length;
      const reply = await host.request(root, { path: "/" });
      assert.equal(reply.status, 200, reply.body.toString());
      assert.equal(signer(reply), rig.container.credentials.accessKeyId);
      const [call] = rig.container.received.slice(seen);
      assert.equal(call.path, rig.container.path);
      assert.equal(headerOf(call, "authorization"), CONTAINER_TOKEN);
      assert.equal(rig.container.received.length - seen, 1);
      await host.request(root, { path: "/" });
      assert.equal(rig.container.received.length - seen, 1, "reused");
      assertNoLeaks(host, [reply.body]);
    });

    test("chain: environment keys, then the container endpoint, then instance metadata", async () => {
      const env = { AWS_ACCESS_KEY_ID: "AKIAENVEXAMPLE", AWS_SECRET_ACCESS_KEY: "envSecret/EXAMPLE" };
      const full = { AWS_CONTAINER_CREDENTIALS_FULL_URI: rig.container.fullUri, AWS_CONTAINER_AUTHORIZATION_TOKEN: CONTAINER_TOKEN };
      const cases: Array<[Record<string, string>, RegExp, () => string]> = [
        [{ ...env, ...full }, /credentials from chain: environment/, () => env.AWS_ACCESS_KEY_ID],
        [full, /credentials from chain: container endpoint http:\/\/127\.0\.0\.1:\d+[,)]/, () => rig.container.credentials.accessKeyId],
        [{ AWS_EC2_METADATA_SERVICE_ENDPOINT: rig.imds.url }, /credentials from chain: instance metadata/, () => rig.imds.credentials.accessKeyId],
      ];
      rig.accepted[env.AWS_ACCESS_KEY_ID] = { secretKey: env.AWS_SECRET_ACCESS_KEY };
      try {
        for (const [vars, line, key] of cases) {
          const host = await load({ env: vars });
          const root = configure(host, rig.config({}));
          assert.match(host.getLogs().map((l) => l.message).join("\n"), line);
          const reply = await host.request(root, { path: "/" });
          assert.equal(reply.status, 200, reply.body.toString());
          assert.equal(signer(reply), key());
        }
      } finally {
        delete rig.accepted[env.AWS_ACCESS_KEY_ID];
      }
    });
  });

  describe(`${profile}: AssumeRole`, () => {
    test("on top of instance credentials, with external id and session name (STS answers JSON)", async () => {
      const host = await load();
      rig.sts.requiredExternalId = "ext-7f3a:team/b";
      try {
        const root = configure(host, rig.config({ ...rig.instance, assume_role: rig.assumeRole({ external_id: "ext-7f3a:team/b",
          session_name: "gw-prod", duration_seconds: 1800 }) }));
        assert.match(host.getLogs().map((l) => l.message).join("\n"), new RegExp(`instance metadata .*then AssumeRole ${ROLE_ARN}`));
        const calls = rig.sts.calls.length;
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 200, reply.body.toString());
        const call = rig.sts.last!;
        assert.deepEqual([call.roleArn, call.sessionName, call.externalId, call.durationSeconds, call.format],
          [ROLE_ARN, "gw-prod", "ext-7f3a:team/b", 1800, "json"]);
        assert.equal(call.signedBy, rig.imds.credentials.accessKeyId, "STS is signed with the instance credentials");
        assert.equal(signer(reply), call.issued.accessKeyId, "the function with the assumed role's");
        await host.request(root, { path: "/" });
        assert.equal(rig.sts.calls.length - calls, 1, "reused");
        if (envoy) {
          const expiry = metric(host, "credentials_expiry_seconds")!;
          assert.ok(expiry > 1800 - 60 && expiry <= 1800, String(expiry));
        }
        assertNoLeaks(host, [reply.body]);
      } finally {
        rig.sts.requiredExternalId = undefined;
      }
    });

    test("on top of static keys, STS answering its documented XML", async () => {
      const host = await load();
      rig.sts.format = "xml";
      try {
        const root = configure(host, rig.config({ ...BASE_KEYS, assume_role: rig.assumeRole() }));
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 200, reply.body.toString());
        const call = rig.sts.last!;
        assert.deepEqual([call.signedBy, call.sessionName, call.externalId, call.durationSeconds, call.format],
          [BASE_KEYS.accesskey, "aws-lambda-wasm", undefined, 3600, "xml"]);
        assert.equal(signer(reply), call.issued.accessKeyId);
        assert.equal(headerOf(rig.sts.received.at(-1)!, "accept"), "application/json");
        assertNoLeaks(host, [reply.body]);
      } finally {
        rig.sts.format = "auto";
      }
    });
  });

  describe(`${profile}: signature refusals`, () => {
    test("a signature AWS computes differently: the error log gives the canonical request's SHA-256 AWS quotes", async () => {
      const host = await load();
      const root = configure(host, rig.config(rig.instance));
      const issued = rig.imds.rotate();
      rig.imds.document = (c) => JSON.stringify({ Code: "Success", AccessKeyId: c.accessKeyId, SecretAccessKey: "notTheSecretAWSKnows",
        Token: c.sessionToken, Expiration: new Date(c.expiration).toISOString().replace(/\.\d+Z/, "Z") });
      try {
        const reply = await host.request(root, { path: "/sig" });
        assert.equal(reply.status, 403);
        const message = json(reply).message as string;
        const hash = /The String-to-Sign should have been\n'[^']*\n([0-9a-f]{64})'/.exec(message)?.[1];
        assert.ok(hash, message);
        const line = errorLines(host).find((l) => l.includes("AWS refused the signature"));
        assert.ok(line, errorLines(host).join("\n"));
        assert.ok(line.includes(`canonical request SHA-256 ${hash}`), line);
        assert.ok(!line.includes("clock"), line);
        assert.ok(!line.includes(issued.sessionToken) && !line.includes("notTheSecretAWSKnows"), line);
      } finally {
        rig.imds.document = null;
      }
    });

    test("a gateway clock 20 minutes ahead: the error log names the skew against AWS's Date", async () => {
      const host = await load({ now: () => rig.clock.now() + 20 * 60_000 });
      const root = configure(host, rig.config(rig.instance));
      const reply = await host.request(root, { path: "/skew" });
      assert.equal(reply.status, 403);
      assert.match(json(reply).message, /Signature expired/);
      const line = errorLines(host).find((l) => l.includes("AWS refused the signature"));
      assert.ok(line, errorLines(host).join("\n"));
      assert.match(line, /canonical request SHA-256 [0-9a-f]{64}/);
      assert.match(line, /the filter's clock is 1[12]\d\d s ahead of AWS's \(its Date header\)/);
    });
  });
}
