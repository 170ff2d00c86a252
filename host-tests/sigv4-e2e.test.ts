// SigV4 inside the filter, end to end on both host profiles: a loopback endpoint recomputes every
// signature from the request it received with @smithy/signature-v4, as AWS does, and answers 403 on a
// mismatch — so each test passes only if AWS would accept the request on the first try.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Host } from "../emulator/index.ts";
import { AwsEndpoint, echo } from "./support/aws-endpoint.ts";
import { PROFILES, SEED_HOST, configure, filterHost, headerValues, json } from "./support/filter-host.ts";

const ACCESS_KEY = "AKIDEXAMPLE";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TEMP_ACCESS_KEY = "ASIATEMPORARY";
const TEMP_SECRET = "tempSecret/abc+def";
const SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJH+/=";
const API_KEY = "apikey-e2e-91ab";
const SEED_URI = `https://${SEED_HOST}`;

const iam = (extra: object = {}) => ({ iam: { accesskey: ACCESS_KEY, secretkey: SECRET_KEY, ...extra } });

for (const profile of PROFILES) {
  describe(`${profile}: signed callouts AWS accepts`, () => {
    let endpoint: AwsEndpoint;
    let host: Host;
    let root: number;
    before(async () => {
      endpoint = await AwsEndpoint.start({ region: "us-east-1", service: "execute-api", handler: echo,
        iam: { [ACCESS_KEY]: { secretKey: SECRET_KEY }, [TEMP_ACCESS_KEY]: { secretKey: TEMP_SECRET, sessionToken: SESSION_TOKEN } } });
      host = await filterHost(profile, endpoint);
      root = configure(host, { function_uri: SEED_URI, path_prefix: "/aws", authorization: iam() });
    });
    after(() => endpoint.close());

    const accepted = async (request: Parameters<Host["request"]>[1], r = root) => {
      const reply = await host.request(r, request);
      assert.equal(reply.status, 200, reply.body.toString());
      assert.ok(endpoint.last.signed, "the endpoint verified a signature");
      return json(reply);
    };

    test("the seed GET with the APISIX docs' query, scope taken from the API Gateway host", async () => {
      await accepted({ method: "GET", path: "/aws/default/test-apisix?name=APISIX", headers: { "user-agent": "curl/8.5", accept: "*/*" } });
      assert.equal(endpoint.last.url, "/default/test-apisix?name=APISIX");
      assert.deepEqual([endpoint.last.signed!.region, endpoint.last.signed!.service], ["us-east-1", "execute-api"]);
    });

    test("POST with an empty body and with a 3 MiB body", async () => {
      await accepted({ method: "POST", path: "/aws/empty", headers: { "content-type": "application/json" } });
      const big = randomBytes(3 << 20);
      const seen = await accepted({ method: "POST", path: "/aws/big", headers: { "content-type": "application/octet-stream" }, body: big });
      assert.equal(seen.bodyLength, big.length);
    });

    test("unicode and percent-encoded paths are double-encoded for signing", async () => {
      await accepted({ path: "/aws/caf%C3%A9/a%20b/%E2%82%AC/x%2Bplus/!$'()*,;=:@" });
      assert.equal(endpoint.last.path, "/caf%C3%A9/a%20b/%E2%82%AC/x%2Bplus/!$'()*,;=:@");
    });

    test("repeated, valueless and unsorted query keys", async () => {
      await accepted({ path: "/aws/q?b=2&a=1&a=0&flag&empty=&a=%20sp" });
      assert.equal(endpoint.last.query, "b=2&a=1&a=0&flag&empty=&a=%20sp", "the wire query is sent as the client wrote it");
    });

    test("reserved characters in query names and values", async () => {
      await accepted({ path: "/aws/r?q=a%2Bb%26c%3Dd&x=%21%27%28%29%2A&plus=a+b&tilde=~&slash=%2F&pct=100%25" });
    });

    test("headers that proxies rewrite are not signed; host, x-amz-*, content-type are", async () => {
      await accepted({ method: "POST", path: "/aws/h", body: "{}", headers: [
        ["content-type", "application/json"], ["user-agent", "curl"], ["x-forwarded-for", "10.1.2.3"], ["x-request-id", "r1"],
        ["x-amzn-trace-id", "Root=1-x"], ["x-amz-invocation-type", "Event"], ["x-custom", "v"],
      ] });
      const signed = endpoint.last.signed!.signedHeaders;
      for (const name of ["host", "x-amz-date", "content-type", "x-amz-invocation-type"]) assert.ok(signed.includes(name), name);
      for (const name of ["user-agent", "x-forwarded-for", "x-request-id", "x-amzn-trace-id", "content-length", "x-custom"]) {
        assert.ok(!signed.includes(name), name);
      }
    });

    test("the client's own authorization and x-amz-date are replaced, never forwarded", async () => {
      await accepted({ path: "/aws/a", headers: { authorization: "Bearer client-token", "x-amz-date": "19990101T000000Z" } });
      assert.equal(headerValues(endpoint.last.headers, "authorization").length, 1);
      assert.match(headerValues(endpoint.last.headers, "authorization")[0], /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
      assert.equal(headerValues(endpoint.last.headers, "x-amz-date").length, 1);
    });

    test("temporary credentials send a signed x-amz-security-token", async () => {
      const temp = configure(host, { function_uri: SEED_URI, path_prefix: "/aws",
        authorization: { iam: { accesskey: TEMP_ACCESS_KEY, secretkey: TEMP_SECRET, session_token: SESSION_TOKEN } } });
      await accepted({ path: "/aws/t" }, temp);
      assert.deepEqual(headerValues(endpoint.last.headers, "x-amz-security-token"), [SESSION_TOKEN]);
      assert.ok(endpoint.last.signed!.signedHeaders.includes("x-amz-security-token"));
    });

    test("the endpoint refuses a signature made with the wrong secret (the check can fail)", async () => {
      const wrong = configure(host, { function_uri: SEED_URI, authorization: iam({ secretkey: SECRET_KEY.replace("K7", "K8") }) });
      const reply = await host.request(wrong, { path: "/" });
      assert.equal(reply.status, 403);
      assert.match(json(reply).message, /signature we calculated does not match/);
    });
  });

  describe(`${profile}: signing with other settings`, () => {
    test("API key and IAM together: both are sent and the key is signed", async () => {
      const endpoint = await AwsEndpoint.start({ apiKey: API_KEY, iam: { [ACCESS_KEY]: { secretKey: SECRET_KEY } } });
      try {
        const host = await filterHost(profile, endpoint);
        const root = configure(host, { function_uri: SEED_URI, authorization: { apikey: API_KEY, ...iam() } });
        const reply = await host.request(root, { path: "/", headers: { "x-api-key": "client-supplied" } });
        assert.equal(reply.status, 200, reply.body.toString());
        assert.deepEqual(headerValues(endpoint.last.headers, "x-api-key"), [API_KEY]);
        assert.ok(endpoint.last.signed!.signedHeaders.includes("x-api-key"));
      } finally { await endpoint.close(); }
    });

    test("a Function URL host signs for service lambda in its region", async () => {
      const urlHost = "abcdefghij0123456789.lambda-url.eu-west-1.on.aws";
      const endpoint = await AwsEndpoint.start({ region: "eu-west-1", service: "lambda", iam: { [ACCESS_KEY]: { secretKey: SECRET_KEY } } });
      try {
        const host = await filterHost(profile, endpoint, { upstreams: [urlHost] });
        const root = configure(host, { function_uri: `https://${urlHost}/`, authorization: iam() });
        const reply = await host.request(root, { method: "POST", path: "/", body: "{\"k\":1}" });
        assert.equal(reply.status, 200, reply.body.toString());
        assert.deepEqual([endpoint.last.signed!.region, endpoint.last.signed!.service], ["eu-west-1", "lambda"]);
        assert.ok(host.getLogs(2).some((l) => /region eu-west-1, service lambda from endpoint/.test(l.message)),
          "the effective scope is logged at configure time");
      } finally { await endpoint.close(); }
    });

    test("credentials from the VM environment, with a session token", async () => {
      const endpoint = await AwsEndpoint.start({ iam: { [TEMP_ACCESS_KEY]: { secretKey: TEMP_SECRET, sessionToken: SESSION_TOKEN } } });
      try {
        const host = await filterHost(profile, endpoint, { host: { env: {
          AWS_ACCESS_KEY_ID: TEMP_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: TEMP_SECRET, AWS_SESSION_TOKEN: SESSION_TOKEN } } });
        const root = configure(host, { function_uri: SEED_URI, authorization: { iam: {} } });
        const reply = await host.request(root, { path: "/" });
        assert.equal(reply.status, 200, reply.body.toString());
        assert.equal(endpoint.last.signed!.accessKey, TEMP_ACCESS_KEY);
      } finally { await endpoint.close(); }
    });

    test("missing environment credentials are a configure-time error naming them", async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, env: { AWS_ACCESS_KEY_ID: "AK" } });
      assert.equal(host.configure({ function_uri: SEED_URI, authorization: { iam: { credentials: "environment" } } }).accepted, false);
      assert.match(host.getLogs(5)[0].message, /AWS_SECRET_ACCESS_KEY missing from the VM environment/);
    });

    test("X-Amz-Date comes from the VM's realtime clock", async () => {
      const at = Date.UTC(2031, 1, 3, 4, 5, 6);
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "capture", now: () => at });
      const root = configure(host, { function_uri: SEED_URI, authorization: iam() });
      const reply = await host.request(root, { path: "/" }, { answer: () => ({ headers: [[":status", "200"]] }) });
      assert.deepEqual(headerValues(reply.callout!.headers, "x-amz-date"), ["20310203T040506Z"]);
      assert.match(headerValues(reply.callout!.headers, "authorization")[0], /Credential=AKIDEXAMPLE\/20310203\/us-east-1\/execute-api\/aws4_request/);
    });

    test("no log line or reply body contains a secret", async () => {
      const endpoint = await AwsEndpoint.start({ handler: () => ({ body: "ok" }), iam: { [TEMP_ACCESS_KEY]: { secretKey: TEMP_SECRET, sessionToken: SESSION_TOKEN } } });
      try {
        const host = await filterHost(profile, endpoint);
        const bodies: string[] = [];
        const good = configure(host, { function_uri: SEED_URI, authorization: { apikey: API_KEY,
          iam: { accesskey: TEMP_ACCESS_KEY, secretkey: TEMP_SECRET, session_token: SESSION_TOKEN } } });
        bodies.push((await host.request(good, { path: "/" })).body.toString());
        bodies.push((await host.request(good, { method: "POST", path: "/", headers: { "content-length": "99999999999" } })).body.toString());
        host.configure({ function_uri: SEED_URI, authorization: { apikey: API_KEY, iam: { accesskey: TEMP_ACCESS_KEY, secretkey: TEMP_SECRET, session_token: 5 } } });
        const text = host.getLogs().map((l) => l.message).join("\n") + bodies.join("\n");
        for (const secret of [TEMP_SECRET, SESSION_TOKEN, API_KEY]) assert.ok(!text.includes(secret), `leaked ${secret}`);
      } finally { await endpoint.close(); }
    });
  });
}
