// The plugin configuration: APISIX aws-lambda's fields, defaults and ranges, the filter's own additions,
// and refusals with APISIX-style messages naming the property path.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadUnit } from "./support/unit-wasm.ts";

let unit: { configSummary(text: string, env: string): string; jsonRoundTrip(text: string): string };
before(async () => { unit = await loadUnit("config"); });

const summary = (config: unknown, env: Record<string, string> = {}) =>
  JSON.parse(unit.configSummary(typeof config === "string" ? config : JSON.stringify(config),
    Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n")));
const refusal = (config: unknown, env: Record<string, string> = {}): string => {
  const result = summary(config, env);
  assert.ok(result.error, `expected a refusal, got ${JSON.stringify(result)}`);
  return result.error;
};

const seedUri = "https://x9w6z07gb9.execute-api.us-east-1.amazonaws.com/default/test-apisix";

test("the APISIX docs' API-key example is accepted with APISIX's defaults", () => {
  const c = summary({ function_uri: seedUri, authorization: { apikey: "key-1" }, ssl_verify: false });
  assert.equal(c.scheme, "https");
  assert.equal(c.host, "x9w6z07gb9.execute-api.us-east-1.amazonaws.com");
  assert.equal(c.path, "/default/test-apisix");
  assert.equal(c.apiKey, "key-1");
  assert.equal(c.iam, null);
  assert.equal(c.timeout, 3000);
  assert.equal(c.sslVerify, false);
  assert.equal(c.keepalive, true);
  assert.equal(c.keepalivePool, 5);
  assert.equal(c.keepaliveTimeout, 60000);
  assert.equal(c.maxReqBodySize, 67108864);
  assert.equal(c.pathPrefix, null);
});

test("authorization.apikey_env takes the API key from the VM environment, named at configure time when missing", () => {
  const config = { function_uri: seedUri, authorization: { apikey_env: "LAMBDA_API_KEY" } };
  assert.equal(summary(config, { LAMBDA_API_KEY: "key-from-env" }).apiKey, "key-from-env");
  assert.equal(refusal(config), 'property "authorization" validation failed: property "apikey_env" validation failed: '
    + "LAMBDA_API_KEY missing from the VM environment");
  assert.match(refusal(config, { LAMBDA_API_KEY: "" }), /LAMBDA_API_KEY missing from the VM environment/);
  // The variable's value is a secret: its problems name the variable, never the value.
  const control = refusal(config, { LAMBDA_API_KEY: "bad\u0007key" });
  assert.match(control, /LAMBDA_API_KEY must not contain control characters/);
  assert.doesNotMatch(control, /bad/);
});

test("authorization.apikey_env is refused together with apikey, as a bad name, and with a Lambda ARN", () => {
  const env = { LAMBDA_API_KEY: "k" };
  assert.match(refusal({ function_uri: seedUri, authorization: { apikey: "k", apikey_env: "LAMBDA_API_KEY" } }, env),
    /use either "apikey" or "apikey_env", not both/);
  for (const name of ["1KEY", "API-KEY", "A B", "$KEY"]) {
    assert.match(refusal({ function_uri: seedUri, authorization: { apikey_env: name } }, { [name]: "k" }),
      /"apikey_env" validation failed: must be an environment variable name/, name);
  }
  assert.match(refusal({ function_uri: "arn:aws:lambda:us-east-1:123456789012:function:f",
    authorization: { apikey_env: "LAMBDA_API_KEY", iam: { accesskey: "AKID", secretkey: "s" } } }, env), /apikey_env/);
});

test("upstream defaults to function_uri's host, with the port when one is written", () => {
  assert.equal(summary({ function_uri: seedUri }).upstream, "x9w6z07gb9.execute-api.us-east-1.amazonaws.com");
  assert.equal(summary({ function_uri: "http://127.0.0.1:9081/fn" }).upstream, "127.0.0.1:9081");
  assert.equal(summary({ function_uri: seedUri, upstream: "lambda_cluster" }).upstream, "lambda_cluster");
});

test("iam accepts secretkey (APISIX source) and secret_key (APISIX docs) but not both", () => {
  assert.equal(summary({ function_uri: seedUri, authorization: { iam: { accesskey: "AK", secretkey: "S1" } } }).iam.secretKey, "S1");
  assert.equal(summary({ function_uri: seedUri, authorization: { iam: { accesskey: "AK", secret_key: "S2" } } }).iam.secretKey, "S2");
  assert.match(refusal({ function_uri: seedUri, authorization: { iam: { accesskey: "AK", secretkey: "a", secret_key: "b" } } }),
    /^property "authorization" validation failed: property "iam" validation failed: use either "secretkey" or "secret_key"/);
});

test("a missing secret key is named with its full property path", () => {
  assert.equal(refusal({ function_uri: seedUri, authorization: { iam: { accesskey: "AK" } } }),
    'property "authorization" validation failed: property "iam" validation failed: property "secretkey" is required');
  assert.equal(refusal({ function_uri: seedUri, authorization: { iam: { secretkey: "S" } } }),
    'property "authorization" validation failed: property "iam" validation failed: property "accesskey" is required');
});

test("function_uri is required", () => {
  assert.equal(refusal({ timeout: 3000 }), 'property "function_uri" is required');
});

test("timeout below 100 ms is refused in APISIX's words", () => {
  assert.equal(refusal({ function_uri: seedUri, timeout: 50 }), 'property "timeout" validation failed: expected 50 to be at least 100');
});

test("ranges of keepalive_pool, keepalive_timeout and max_req_body_size are enforced", () => {
  assert.equal(refusal({ function_uri: seedUri, keepalive_pool: 0 }), 'property "keepalive_pool" validation failed: expected 0 to be at least 1');
  assert.equal(refusal({ function_uri: seedUri, keepalive_timeout: 999 }), 'property "keepalive_timeout" validation failed: expected 999 to be at least 1000');
  assert.equal(refusal({ function_uri: seedUri, max_req_body_size: 0 }), 'property "max_req_body_size" validation failed: expected 0 to be at least 1');
  assert.match(refusal({ function_uri: seedUri, max_req_body_size: 2 ** 31 }), /^property "max_req_body_size" validation failed: expected 2147483648 to be at most 536870912$/);
});

test("wrong types are refused with the expected and actual type", () => {
  assert.equal(refusal({ function_uri: seedUri, timeout: "3000" }), 'property "timeout" validation failed: wrong type: expected integer, got string');
  assert.equal(refusal({ function_uri: seedUri, timeout: 3000.5 }), 'property "timeout" validation failed: wrong type: expected integer, got number');
  assert.equal(refusal({ function_uri: seedUri, ssl_verify: "false" }), 'property "ssl_verify" validation failed: wrong type: expected boolean, got string');
  assert.equal(refusal({ function_uri: 42 }), 'property "function_uri" validation failed: wrong type: expected string, got integer');
  assert.equal(refusal({ function_uri: seedUri, authorization: "key" }), 'property "authorization" validation failed: wrong type: expected object, got string');
});

test("integers written with a fraction or exponent count by value, as JSON Schema does", () => {
  assert.equal(summary(`{"function_uri":"${seedUri}","timeout":3000.0}`).timeout, 3000);
  assert.equal(summary(`{"function_uri":"${seedUri}","timeout":1e3}`).timeout, 1000);
  assert.equal(summary(`{"function_uri":"${seedUri}","timeout":25E2}`).timeout, 2500);
  assert.match(refusal(`{"function_uri":"${seedUri}","timeout":1e400}`), /wrong type: expected integer, got number/);
});

test("unknown keys are refused so a typo cannot silently disable signing", () => {
  assert.equal(refusal({ function_uri: seedUri, authorisation: { iam: {} } }), 'additional properties forbidden, found "authorisation"');
  assert.equal(refusal({ function_uri: seedUri, authorization: { iam: { accesskey: "A", secretkey: "S", region: "eu-west-1" } } }),
    'property "authorization" validation failed: property "iam" validation failed: additional properties forbidden, found "region"');
});

test("function_uri must be an absolute http(s) URL", () => {
  for (const [uri, rule] of [
    ["x9w6z07gb9.execute-api.us-east-1.amazonaws.com", "must be an absolute http:// or https:// URL"],
    ["ftp://example.com/x", "must be an absolute http:// or https:// URL"],
    ["https://", "has no host"],
    ["https://user:pass@example.com/", "must not carry credentials in the URL"],
    ["https://example.com:0/", "has an invalid port"],
    ["https://example.com:99999/", "has an invalid port"],
    ["https://exa mple.com/", "has an invalid host"],
    ["https://example.com/a b", "has a character that must be percent-encoded at offset 21"],
    ["https://example.com/#frag", "must not have a #fragment"],
  ]) {
    assert.equal(refusal({ function_uri: uri }), `property "function_uri" validation failed: ${rule}`, uri);
  }
});

test("function_uri keeps its own query and drops a trailing slash from its path", () => {
  const c = summary({ function_uri: "HTTPS://Example.COM:8443/stage/fn/?mode=a" });
  assert.deepEqual([c.scheme, c.host, c.port, c.path, c.query, c.authority], ["https", "example.com", "8443", "/stage/fn", "mode=a", "example.com:8443"]);
});

test("path_prefix is normalized and must be a plain path", () => {
  assert.equal(summary({ function_uri: seedUri, path_prefix: "/aws/" }).pathPrefix, "/aws");
  assert.equal(summary({ function_uri: seedUri, path_prefix: "/" }).pathPrefix, "");
  assert.equal(refusal({ function_uri: seedUri, path_prefix: "aws" }), 'property "path_prefix" validation failed: must start with "/"');
  assert.match(refusal({ function_uri: seedUri, path_prefix: "/aws/*" }), /^property "path_prefix" validation failed: must be a plain path/);
});

test("malformed JSON is refused with a position, never a trap", () => {
  for (const text of ["", "{", "{\"function_uri\":}", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "{\"a\":1} x", "nul", "\"\\x\"", "\"\\u12\"", "{\"a\":\"\u0001\"}"]) {
    assert.match(unit.jsonRoundTrip(text), /^error: .+ at line \d+ column \d+$/, JSON.stringify(text));
  }
  assert.match(refusal("{\"function_uri\": \"x\""), /^invalid configuration JSON: /);
});

test("the JSON reader refuses duplicate keys and excessive nesting", () => {
  assert.match(unit.jsonRoundTrip('{"a":1,"a":2}'), /^error: duplicate key "a"/);
  assert.match(unit.jsonRoundTrip("[".repeat(33) + "]".repeat(33)), /^error: nesting deeper than 32 levels/);
  assert.equal(unit.jsonRoundTrip("[".repeat(32) + "]".repeat(32)), "[".repeat(32) + "]".repeat(32));
});

test("the JSON reader decodes escapes and keeps unicode", () => {
  assert.equal(unit.jsonRoundTrip(String.raw`["a\"b\\c\/d\n\u00e9\ud83d\ude00", -0, 1.5e-3, true, null, {}]`),
    '["a\\"b\\\\c/d\\n\u00e9\ud83d\ude00",-0,1.5e-3,true,null,{}]');
});

test("a root that is not an object is refused", () => {
  assert.equal(refusal("[]"), "invalid configuration: wrong type: expected object, got array");
  assert.equal(refusal("\"https://x\""), "invalid configuration: wrong type: expected object, got string");
});

test("refusal messages never contain a secret value", () => {
  const secrets = { accesskey: "AKIDSECRETVALUE", secretkey: "wJalrSECRETKEY" };
  const message = refusal({ function_uri: seedUri, authorization: { apikey: "APIKEYSECRET", iam: { ...secrets, service: 7 } } });
  for (const s of ["AKIDSECRETVALUE", "wJalrSECRETKEY", "APIKEYSECRET"]) assert.ok(!message.includes(s), message);
});

test("region and service come from an API Gateway or Function URL host unless configured", () => {
  const iam = (uri: string, extra = {}) => summary({ function_uri: uri, authorization: { iam: { accesskey: "A", secretkey: "S", ...extra } } }).iam;
  assert.deepEqual(pick(iam("https://abc.execute-api.eu-west-2.amazonaws.com/prod")), ["eu-west-2", "execute-api", "endpoint"]);
  assert.deepEqual(pick(iam("https://abc123.lambda-url.ap-south-1.on.aws/")), ["ap-south-1", "lambda", "endpoint"]);
  assert.deepEqual(pick(iam("https://abc.execute-api.eu-west-2.amazonaws.com/", { aws_region: "us-west-1" })), ["us-west-1", "execute-api", "config and endpoint"]);
  assert.deepEqual(pick(iam("https://api.example.com/")), ["us-east-1", "execute-api", "defaults"]);
  assert.deepEqual(pick(iam("https://api.example.com/", { aws_region: "eu-north-1", service: "lambda" })), ["eu-north-1", "lambda", "config"]);
});
const pick = (iam: any) => [iam.region, iam.service, iam.scopeSource];

test("an iam object without keys takes AWS_* credentials from the VM environment", () => {
  const iam = summary({ function_uri: seedUri, authorization: { iam: {} } },
    { AWS_ACCESS_KEY_ID: "AKENV", AWS_SECRET_ACCESS_KEY: "SKENV", AWS_SESSION_TOKEN: "TOKENV" }).iam;
  assert.deepEqual([iam.accessKey, iam.secretKey, iam.sessionToken, iam.fromEnvironment], ["AKENV", "SKENV", "TOKENV", true]);
});

test("missing environment credentials are named at configure time", () => {
  const fromEnvironment = { function_uri: seedUri, authorization: { iam: { credentials: "environment" } } };
  assert.equal(refusal(fromEnvironment, { AWS_ACCESS_KEY_ID: "AK" }),
    'property "authorization" validation failed: property "iam" validation failed: credentials "environment": AWS_SECRET_ACCESS_KEY missing from the VM environment');
  assert.match(refusal(fromEnvironment), /AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY missing/);
});

test("session_token is accepted for temporary credentials", () => {
  assert.equal(summary({ function_uri: seedUri, authorization: { iam: { accesskey: "A", secretkey: "S", session_token: "T" } } }).iam.sessionToken, "T");
});
