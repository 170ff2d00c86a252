// Pieces of the local gateway on their own: which sources make `npm start` build (and which do not), the
// trace's redaction, the Prometheus text, and where a config's callouts go by default.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { releaseIsCurrent, releaseSourcesDigest, writeSourcesStamp } from "../scripts/release-sources.mjs";
import { environmentSecrets, redactHeader, traceLines } from "../gateway/trace.ts";
import { prometheusText } from "../gateway/metrics.ts";
import { pluginFacts, runsLocally } from "../gateway/plugin-facts.ts";
import { normaliseRoute } from "../gateway/options.ts";
import { routeFromUri } from "../gateway/config-source.ts";
import { vmEnvironment } from "../gateway/gateway.ts";

const dir = mkdtempSync(join(tmpdir(), "aws-lambda-gateway-units-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the release module is rebuilt when assembly/, schema/, the asc transforms or asconfig.json change, not for the unit-test entries", () => {
  const project = join(dir, "project");
  for (const path of ["assembly/filter", "assembly/unit", "schema", "scripts/transforms", "build"]) mkdirSync(join(project, path), { recursive: true });
  writeFileSync(join(project, "assembly/index.ts"), "export function a(): void {}\n");
  writeFileSync(join(project, "assembly/filter/x.ts"), "// x\n");
  writeFileSync(join(project, "assembly/unit/config.ts"), "// unit\n");
  writeFileSync(join(project, "schema/fields.mjs"), "export const FIELDS = [];\n");
  writeFileSync(join(project, "scripts/transforms/t.mjs"), "// t\n");
  writeFileSync(join(project, "asconfig.json"), "{}\n");
  assert.equal(releaseIsCurrent(project), false, "no module yet");
  writeFileSync(join(project, "build/aws-lambda.wasm"), "\0asm");
  assert.equal(releaseIsCurrent(project), false, "a module without a record of its sources");
  writeSourcesStamp(project, releaseSourcesDigest(project));
  assert.equal(releaseIsCurrent(project), true);
  writeFileSync(join(project, "assembly/unit/config.ts"), "// unit, edited\n");
  assert.equal(releaseIsCurrent(project), true, "unit-test entries are not release sources");
  for (const edit of ["assembly/filter/x.ts", "schema/fields.mjs", "scripts/transforms/t.mjs", "asconfig.json"]) {
    const copy = join(dir, `copy-${edit.replaceAll("/", "_")}`);
    cpSync(project, copy, { recursive: true });
    writeFileSync(join(copy, edit), "// edited\n");
    assert.equal(releaseIsCurrent(copy), false, edit);
  }
});

test("trace redaction: signature and access key, token headers, and secrets anywhere in a value", () => {
  const auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd";
  assert.equal(redactHeader("authorization", auth, []),
    "AWS4-HMAC-SHA256 Credential=<redacted>/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=<redacted>");
  assert.equal(redactHeader("authorization", "container-token", []), "<redacted>");
  for (const name of ["x-amz-security-token", "x-api-key", "x-aws-ec2-metadata-token"]) assert.equal(redactHeader(name, "v", []), "<redacted>");
  assert.equal(redactHeader("x-note", "a s3cr3t-value b", ["s3cr3t-value"]), "a <redacted> b");
  const env = { AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: "envsecret", AWS_REGION: "us-east-1",
    AWS_CONTAINER_AUTHORIZATION_TOKEN: "tok-123", MY_KEY: "apikey-value", PATH: "/usr/bin" };
  assert.deepEqual(environmentSecrets(env, "MY_KEY").sort(), ["AKIDENV", "apikey-value", "envsecret", "tok-123"]);
  const lines = traceLines({ rootId: 1, token: 1, upstream: "fn", streamId: 2, timeoutMs: 3000, trailers: [], body: Buffer.from("12345"),
    headers: [[":method", "POST"], [":path", "/p"], [":authority", "h"], ["x-api-key", "k"]] }, "the demo function", []);
  assert.deepEqual(lines, ['callout to "fn" (the demo function): POST /p, body 5 bytes, timeout 3000 ms', "    :authority: h", "    x-api-key: <redacted>"]);
});

test("Prometheus text: counters and gauges as they are, the histogram in Envoy's buckets; APISIX has none", () => {
  const metrics = new Map([
    ["aws_lambda.requests_total", { type: "counter" as const, value: 3 }],
    ["aws_lambda.qualifier.canary.invocations_total", { type: "counter" as const, value: 1 }],
    ["aws_lambda.callout_duration_ms", { type: "histogram" as const, value: 0, samples: [3, 7, 120] }],
  ]);
  const text = prometheusText(metrics, "envoy");
  assert.match(text, /^# TYPE aws_lambda_requests_total counter\naws_lambda_requests_total 3$/m);
  assert.match(text, /^aws_lambda_qualifier_canary_invocations_total 1$/m);
  assert.match(text, /^aws_lambda_callout_duration_ms_bucket\{le="5"\} 1$/m);
  assert.match(text, /^aws_lambda_callout_duration_ms_bucket\{le="250"\} 3$/m);
  assert.match(text, /^aws_lambda_callout_duration_ms_sum 130\naws_lambda_callout_duration_ms_count 3$/m);
  assert.match(prometheusText(metrics, "apisix"), /^# The apisix profile has no filter metrics/);
});

test("by default the stand-ins serve Lambda ARNs without their own upstream and the APISIX docs' endpoints; --local serves all", () => {
  const facts = (plugin: object) => pluginFacts(plugin, {});
  const arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
  assert.equal(runsLocally(facts({ function_uri: arn }), false), true);
  assert.equal(runsLocally(facts({ function_uri: arn, upstream: "lambda_api" }), false), true, "a bare cluster name points nowhere");
  assert.equal(runsLocally(facts({ function_uri: arn, upstream: "127.0.0.1:3001" }), false), false, "e.g. sam local start-lambda");
  assert.equal(runsLocally(facts({ function_uri: "https://ajycz5e0v9.execute-api.us-east-1.amazonaws.com/x" }), false), true);
  assert.equal(runsLocally(facts({ function_uri: "https://abc.lambda-url.eu-west-1.on.aws" }), false), false);
  assert.equal(runsLocally(facts({ function_uri: "https://abc.lambda-url.eu-west-1.on.aws" }), true), true);
});

test("routes and the VM environment", () => {
  assert.equal(normaliseRoute("/"), "");
  assert.equal(normaliseRoute("/aws/"), "/aws");
  assert.equal(normaliseRoute("aws"), null);
  assert.equal(routeFromUri("/aws/*"), "/aws");
  assert.deepEqual(vmEnvironment({ AWS_ACCESS_KEY_ID: "a", AWS_EC2_METADATA_DISABLED: "true", AWS_CONTAINER_CREDENTIALS_FULL_URI: "u", PATH: "/bin", MY_KEY: "k" }, ["MY_KEY"]),
    { AWS_ACCESS_KEY_ID: "a", AWS_EC2_METADATA_DISABLED: "true", AWS_CONTAINER_CREDENTIALS_FULL_URI: "u", MY_KEY: "k" });
});
