// Refreshing credentials that fail to refresh, on both host profiles: a refresh that fails keeps the still
// valid credentials signing (logged, counted, backed off); credentials STS calls expired are fetched anew
// at the next attempt; a request keeps the provider of the config it started under when its root is
// reconfigured mid-request.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Host, type Callout, type CalloutAnswer, type Host as HostType, type Profile } from "../emulator/index.ts";
import { PROFILES, configure, json } from "./support/filter-host.ts";
import { CredentialRig, errorLines, leaks, secretsOf } from "./support/credential-rig.ts";

let rig: CredentialRig;
before(async () => { rig = await CredentialRig.start(); });
after(() => rig.close());

const metric = (host: HostType, name: string) => host.getMetrics().get(`aws_lambda.${name}`)?.value;
const signer = (reply: { body: Buffer }) => json(reply as any).accessKey;

for (const profile of PROFILES) {
  const envoy = profile === "envoy";
  const load = (options = {}) => {
    rig.imds.lifetimeSeconds = 6 * 3600;
    rig.imds.rotate();
    return rig.host(profile as Profile, options);
  };

  describe(`${profile}: refreshes that fail`, () => {
    test("a failed refresh keeps the valid credentials signing, is logged and counted, and backs off", async () => {
      const host = await load();
      const root = configure(host, rig.config(rig.instance));
      rig.imds.lifetimeSeconds = 3600;
      const current = rig.imds.rotate();
      assert.equal(signer(await host.request(root, { path: "/" })), current.accessKeyId);
      rig.clock.advance((3600 - 300) * 1000);
      rig.imds.disabled = true;
      try {
        const puts = rig.imds.counts.tokenPuts;
        if (envoy) {
          assert.deepEqual(await host.tick(root), { ticked: true, answered: 1 });
          const line = errorLines(host).find((l) => l.startsWith("aws-lambda: refreshing credentials from instance metadata"));
          assert.ok(line?.endsWith("answered 403 (instance metadata is turned off or refuses the request); the current ones stay in use until they expire"), line);
          assert.equal(metric(host, "credentials_refresh_failures_total"), 1);
          assert.equal(metric(host, "credentials_unavailable_total"), 0);
          await host.tick(root);
          assert.equal(rig.imds.counts.tokenPuts - puts, 1, "backed off");
        }
        // On APISIX the request that finds them due tries, fails, and signs with the current ones.
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 200, reply.body.toString());
        assert.equal(signer(reply), current.accessKeyId);
        assert.equal(signer(await host.request(root, { path: "/" })), current.accessKeyId);
        assert.equal(rig.imds.counts.tokenPuts - puts, 1, "no new attempt during the backoff");
        rig.clock.advance(1500);
        rig.imds.disabled = false;
        const fresh = rig.imds.rotate();
        if (envoy) await host.tick(root);
        const after = await host.request(root, { path: "/" });
        assert.equal(signer(after), fresh.accessKeyId);
        assert.equal(rig.imds.counts.tokenPuts - puts, 2);
      } finally {
        rig.imds.disabled = false;
      }
    });

    test("base credentials STS calls expired are fetched anew at the next attempt", async () => {
      const host = await load();
      const root = configure(host, rig.config({ ...rig.instance, assume_role: rig.assumeRole() }));
      const stale = rig.imds.credentials;
      rig.sts.expiredBase.add(stale.accessKeyId);
      const first = await host.request(root, { path: "/" });
      assert.equal(first.status, 503);
      assert.match(json(first).message, /STS AssumeRole of .*: STS answered 403 ExpiredToken$/);
      const fresh = rig.imds.rotate();
      rig.clock.advance(1500);
      const second = await host.request(root, { path: "/" });
      assert.equal(second.status, 200, second.body.toString());
      assert.equal(rig.sts.last?.signedBy, fresh.accessKeyId);
      assert.deepEqual(leaks(host, secretsOf(rig), [first.body, second.body]), []);
    });
  });
}

// Synthetic answers (capture mode): instance metadata serving key `ASIA<n>` per fetch, the function
// refusing the first key as expired, and reconfiguring the root before it answers.
for (const profile of PROFILES) {
  describe(`${profile}: reconfigured while a request is under way`, () => {
    test("the request repeats with its own config's credentials, not the new config's", async () => {
      const host = await Host.load({ profile: profile as Profile });
      const imds = { function_uri: "https://fn.example.com/", authorization: { iam: { credentials: "instance", imds_endpoint: "http://imds.test" } } };
      const container = { function_uri: "https://fn.example.com/", authorization: { iam: { credentials: "container",
        container_endpoint: "http://127.0.0.1:8080/creds" } } };
      const { rootId } = host.configure(imds);
      let fetches = 0;
      const signers: string[] = [];
      const answer = (c: Callout): CalloutAnswer => {
        const path = c.headers.find(([k]) => k === ":path")?.[1] ?? "";
        const ok = (body: string): CalloutAnswer => ({ headers: [[":status", "200"]], body });
        if (path === "/latest/api/token") return ok("token");
        if (path === "/latest/meta-data/iam/security-credentials/") return ok("role");
        const doc = (key: string) => ok(JSON.stringify({ AccessKeyId: key, SecretAccessKey: "s", Token: "t",
          Expiration: new Date(Date.now() + 3600_000).toISOString() }));
        if (path.endsWith("/role")) return doc(`ASIAIMDS${++fetches}`);
        if (path === "/creds") return doc("ASIACONTAINER");
        signers.push(/Credential=([^/]+)/.exec(c.headers.find(([k]) => k === "authorization")?.[1] ?? "")?.[1] ?? "");
        if (signers.length === 1) {
          host.configure(container, { rootId });
          return { headers: [[":status", "403"], ["x-amzn-errortype", "ExpiredTokenException"]], body: "{\"message\":\"expired\"}" };
        }
        return ok("fine");
      };
      const reply = await host.request(rootId, { path: "/" }, { answer });
      assert.equal(reply.status, 200, reply.body.toString());
      assert.deepEqual(signers, ["ASIAIMDS1", "ASIAIMDS2"]);
    });

    test("a root reconfigured from fetched credentials to an API key neither waits for nor refreshes credentials", async () => {
      const host = await Host.load({ profile: profile as Profile });
      const { rootId } = host.configure({ function_uri: "https://fn.example.com/", authorization: { iam: { credentials: "instance", imds_endpoint: "http://imds.test" } } });
      assert.ok(host.configure({ function_uri: "https://fn.example.com/", authorization: { apikey: "k" } }, { rootId }).accepted);
      const paths: string[] = [];
      const answer = (c: Callout): CalloutAnswer => {
        const path = c.headers.find(([k]) => k === ":path")?.[1] ?? "";
        paths.push(path);
        // Instance metadata is down: only a config that needs it would notice.
        return path.startsWith("/latest/") ? { headers: [[":status", "500"]] } : { headers: [[":status", "200"]], body: "fine" };
      };
      const reply = await host.request(rootId, { path: "/" }, { answer });
      assert.equal(reply.status, 200, reply.body.toString());
      assert.deepEqual(paths, ["/"]);
      assert.equal(reply.callout?.headers.find(([k]) => k === "x-api-key")?.[1], "k");
      // No background refresh of the old config's credentials either (Envoy's ticks).
      assert.equal(host.getTickPeriod(rootId), 0);
    });
  });
}
