// The local gateway behind `npm start` (gateway/): options checked before any build with one line and exit 2
// each, --help, relative --config, AWS_* passed to the VM, the local Invoke API and credential stand-ins,
// Envoy clusters that follow each applied config, a deleted config file, --route, --trace with secrets
// redacted, /__metrics, the function's request id and a failed callout's cause in the log.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, inProcess, root, runStart, spawnGateway } from "./support/gateway-run.ts";
import { HELP } from "../gateway/options.ts";
import { RefusedError } from "../gateway/gateway.ts";

const dir = mkdtempSync(join(tmpdir(), "aws-lambda-gateway-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const DUMMY = { AWS_ACCESS_KEY_ID: "AKIDGATEWAYTEST", AWS_SECRET_ACCESS_KEY: "gateway-test-secret-key", AWS_SESSION_TOKEN: "gateway-test-session-token" };
const seedUri = "https://x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
let files = 0;

function configFile(config: unknown): string {
  const file = join(dir, `plugin-${files++}.json`);
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return file;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("npm start: options and files are checked before anything is built", () => {
  test("--help explains every option and exits 0", async () => {
    const r = await runStart(["--help"]);
    assert.equal(r.code, 0);
    for (const option of ["--config FILE", "--host envoy|apisix", "--port N", "--route PREFIX", "--local", "--trace", "-h, --help", "/__metrics"]) {
      assert.ok(r.stdout.includes(option), option);
    }
    assert.equal(r.stdout.trim(), HELP);
  });

  const cases: Array<[string, string[], RegExp]> = [
    ["an unknown option", ["--bogus"], /^npm start: unknown option --bogus \(npm start -- --help lists the options\)$/],
    ["a bad --host", ["--host", "nginx"], /^npm start: --host must be envoy or apisix, not nginx$/],
    ["a bad --port", ["--port", "http"], /^npm start: --port must be a port number \(0-65535\), not http$/],
    ["a --route without /", ["--route", "aws"], /^npm start: --route must start with "\/", not aws$/],
    ["a missing config file", ["--config", "nope.json"], /^npm start: --config nope\.json: no such file \(looked for .*nope\.json\)$/],
    ["an APISIX route without the plugin", ["--config", "examples/apisix/routes/disable.json"], /is an APISIX route without the aws-lambda-wasm plugin/],
    ["YAML that embeds no plugin config", ["--config", "examples/apisix/config.yaml"], /config\.yaml holds no plugin config \(no object with "function_uri"\)$/],
  ];
  for (const [what, args, message] of cases) {
    test(`${what}: one line on stderr, exit 2, nothing built`, async () => {
      const r = await runStart(args);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr.trimEnd(), message);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.doesNotMatch(r.stdout, /build|wasm/, "nothing is built or loaded");
    });
  }

  test("a port in use: one line, exit 2", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    try {
      const port = (busy.address() as AddressInfo).port;
      const r = await runStart(["--port", String(port)]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trimEnd(), `npm start: port ${port} on 127.0.0.1 is in use (another gateway?): choose another with --port`);
      assert.doesNotMatch(r.stdout, /building/);
    } finally {
      busy.close();
    }
  });

  test("a refused config exits 1; missing AWS_* get a hint naming what to set", async () => {
    const r = await runStart(["--port", "0", "--config", "examples/invoke/plugin-v2.json"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY missing from the VM environment/);
    assert.match(r.stdout, /hint: the VM gets the AWS_\* variables .*\n.*AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example npm start/);
    assert.match(r.stderr, /^npm start: the plugin config was refused/);
  });

  test("start builds nothing when build/aws-lambda.wasm matches its sources, and npm start runs no full build", async () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    assert.equal(pkg.scripts.start, "tsx gateway/main.ts");
    const gw = await spawnGateway([]);
    try {
      assert.match(gw.out.lines[0], /build\/aws-lambda\.wasm is up to date with its sources/);
    } finally {
      await gw.stop();
    }
  });
});

describe("npm start: configs, the VM environment and the stand-ins", () => {
  test("a relative --config is read from the folder npm start ran in; AWS_* reach the VM; the local Invoke API answers", async () => {
    const gw = await spawnGateway(["--config", "plugin-v2.json"], { cwd: join(root, "examples", "invoke"), env: DUMMY });
    try {
      const r = await call(gw.port, "/app/orders?name=APISIX");
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, '"Hello, APISIX!"');
      assert.equal(r.headers.get("x-demo-function"), "my-web-app:prod");
      // The request line names the function's request id.
      const line = await gw.out.waitFor(/GET \/app\/orders -> 200/);
      assert.match(line, /x-amzn-requestid req-\d+/);
      assert.match(gw.out.text, /callouts to "lambda\.us-east-1\.amazonaws\.com" go to the local Invoke API/);
    } finally {
      await gw.stop();
    }
  });

  test("the local Invoke API verifies SigV4 as AWS does: an unsigned call is refused", async () => {
    const { gateway, out } = await inProcess(["--config", join(root, "examples/invoke/plugin-v2.json")], { ...DUMMY });
    try {
      assert.equal((await call(gateway.port, "/app?name=x")).status, 200);
      const api = /go to the local Invoke API .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(out.text)![1];
      const unsigned = await fetch(`${api}/2015-03-31/functions/my-web-app/invocations`, { method: "POST", body: "{}" });
      assert.equal(unsigned.status, 403);
      assert.equal(unsigned.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
    } finally {
      await gateway.close();
    }
  });

  test("instance, container and chain credentials and assume_role are served by local stand-ins", async () => {
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
    for (const iam of [{ credentials: "instance" }, { credentials: "container", container_endpoint: "http://169.254.170.2/v2/credentials/abc" }, {},
      { credentials: "instance", assume_role: { role_arn: "arn:aws:iam::210987654321:role/invoker" } }]) {
      const { gateway, out } = await inProcess(["--host", "envoy", "--config", configFile({ function_uri: arn, authorization: { iam } })], {});
      try {
        const r = await call(gateway.port, "/aws?name=creds");
        assert.equal(r.status, 200, `${JSON.stringify(iam)}: ${r.body}\n${out.text}`);
        assert.equal(r.body, '"Hello, creds!"');
      } finally {
        await gateway.close();
      }
    }
  });

  test("--host envoy: a config edit to a new host gets its cluster; deleting the file keeps the last good config", async () => {
    const file = configFile({ function_uri: "arn:aws:lambda:us-east-1:123456789012:function:one", authorization: { iam: {} } });
    const { gateway, out } = await inProcess(["--host", "envoy", "--config", file], { ...DUMMY });
    try {
      assert.equal((await call(gateway.port, "/aws")).status, 200);
      writeFileSync(file, JSON.stringify({ function_uri: "arn:aws:lambda:eu-central-1:123456789012:function:two", authorization: { iam: {} } }));
      await out.waitFor(/applied the new config/);
      const moved = await call(gateway.port, "/aws?name=two");
      assert.equal(moved.status, 200, moved.body);
      assert.match(out.text, /callouts to "lambda\.eu-central-1\.amazonaws\.com" go to the local Invoke API \(eu-central-1/);
      const mark = out.lines.length;
      unlinkSync(file);
      await out.waitFor(/was deleted: still serving the last good config/, 5000, mark);
      assert.equal((await call(gateway.port, "/aws?name=still")).body, '"Hello, still!"');
      writeFileSync(file, JSON.stringify({ function_uri: seedUri, path_prefix: "/aws", timeout: 50 }));
      await out.waitFor(/kept the previous config: the new one was refused/, 5000, mark);
      assert.equal((await call(gateway.port, "/aws")).status, 200);
    } finally {
      await gateway.close();
    }
  });

  test("--route / sends every path through the filter; a route outside path_prefix is warned about", async () => {
    const every = await inProcess(["--route", "/"]);
    try {
      const r = await call(every.gateway.port, "/anything/at/all?name=root");
      assert.equal(r.status, 200);
      assert.equal(r.body, '"Hello, root!"');
      assert.doesNotMatch(every.out.text, /warning|refused/);
    } finally {
      await every.gateway.close();
    }
    const outside = await inProcess(["--route", "/api", "--config", configFile({ function_uri: seedUri, path_prefix: "/aws" })]);
    try {
      assert.match(outside.out.text, /warning: --route "\/api" is not within the config's path_prefix "\/aws": the filter answers 404/);
      assert.equal((await call(outside.gateway.port, "/api/x")).status, 404);
    } finally {
      await outside.gateway.close();
    }
  });

  test("--trace prints each callout with its secrets redacted and the body size", async () => {
    const config = { function_uri: seedUri, path_prefix: "/aws", authorization: { apikey: "my-api-key-1234", iam: { accesskey: "AKIDLITERAL", secretkey: "literal-secret", session_token: "literal-token-xyz" } } };
    const { gateway, out } = await inProcess(["--trace", "--config", configFile(config)], { ...DUMMY });
    try {
      const r = await call(gateway.port, "/aws/fn", { method: "POST", body: '{"name":"trace"}', headers: { "x-note": `carries ${DUMMY.AWS_SESSION_TOKEN}` } });
      assert.equal(r.status, 200, r.body);
      const trace = out.lines.filter((l) => / callout to | {4}/.test(l)).join("\n");
      assert.match(trace, /callout to "x9w6z07gb9\.execute-api\.us-east-1\.amazonaws\.com" \(the demo function.*\): POST \/fn, body 16 bytes, timeout 3000 ms/);
      assert.match(trace, /authorization: AWS4-HMAC-SHA256 Credential=<redacted>\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=<redacted>/);
      assert.match(trace, /x-api-key: <redacted>/);
      assert.match(trace, /x-amz-security-token: <redacted>/);
      assert.match(trace, /x-note: carries <redacted>/);
      for (const secret of ["my-api-key-1234", "AKIDLITERAL", "literal-secret", "literal-token-xyz", ...Object.values(DUMMY)]) {
        assert.equal(out.text.includes(secret), false, `${secret} never printed`);
      }
    } finally {
      await gateway.close();
    }
  });

  test("/__metrics: the filter's counters as Prometheus text on Envoy; APISIX says it has none", async () => {
    const envoy = await inProcess(["--host", "envoy"]);
    try {
      await call(envoy.gateway.port, "/aws?name=m");
      await call(envoy.gateway.port, "/elsewhere");
      const metrics = await call(envoy.gateway.port, "/__metrics");
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      assert.match(metrics.body, /^# TYPE aws_lambda_requests_total counter\naws_lambda_requests_total 1$/m);
      assert.match(metrics.body, /^aws_lambda_replies_2xx_total 1$/m);
      assert.match(metrics.body, /^aws_lambda_callout_duration_ms_count 1$/m);
      assert.match(metrics.body, /^aws_lambda_callout_duration_ms_bucket\{le="\+Inf"\} 1$/m);
    } finally {
      await envoy.gateway.close();
    }
    const apisix = await inProcess([]);
    try {
      assert.match((await call(apisix.gateway.port, "/__metrics")).body, /^# The apisix profile has no filter metrics/);
    } finally {
      await apisix.gateway.close();
    }
  });

  for (const profile of ["envoy", "apisix"]) {
    test(`${profile}: a callout that fails logs its cause (ECONNREFUSED)`, async () => {
      const port = await closedPort();
      const { gateway, out } = await inProcess(["--host", profile, "--config", configFile({ function_uri: `http://127.0.0.1:${port}/fn`, path_prefix: "/aws" })]);
      try {
        const r = await call(gateway.port, "/aws");
        assert.equal(r.status, 503);
        const line = await out.waitFor(/GET \/aws -> 503/);
        assert.match(line, new RegExp(`connect-failure: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
      } finally {
        await gateway.close();
      }
    });
  }

  test("an APISIX route file runs its plugin config on its uri; an Envoy cluster name as upstream is refused on APISIX", async () => {
    const { gateway, out } = await inProcess(["--config", join(root, "examples/apisix/routes/path-forwarding.json")]);
    try {
      assert.equal(gateway.route, "/aws");
      assert.equal((await call(gateway.port, "/aws/x?name=route")).body, '"Hello, route!"');
      assert.match(out.text, /API key checked/);
    } finally {
      await gateway.close();
    }
    // The filter refuses it at configure time on APISIX, which would accept the call and fail it.
    await assert.rejects(inProcess(["--config", configFile({ function_uri: "https://fn.example.com", upstream: "outbound|80||fn.example.com" })]),
      RefusedError);
  });

  test("apikey_env: the variable it names reaches the VM, and the demo function checks the key", async () => {
    const file = configFile({ function_uri: seedUri, path_prefix: "/aws", authorization: { apikey_env: "MY_API_KEY" } });
    const { gateway, out } = await inProcess(["--config", file], { MY_API_KEY: "key-from-env" });
    try {
      assert.equal((await call(gateway.port, "/aws?name=key")).status, 200);
      assert.match(out.text, /auth api key from MY_API_KEY/);
      assert.equal(out.text.includes("key-from-env"), false);
    } finally {
      await gateway.close();
    }
  });
});
