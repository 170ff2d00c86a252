// The published JSON Schema (schema/aws-lambda.schema.json) agrees with the filter: both are generated from
// schema/fields.mjs, and whatever one accepts or refuses, so does the other — on every plugin config in
// examples/ and on generated configs around every field's rules.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import fc from "fast-check";
import { loadUnit } from "./support/unit-wasm.ts";
import { FUZZ_SEED, replayHint, scaled, seedFor } from "./support/fuzz-run.ts";
import { FIELDS } from "../schema/fields.mjs";

const root = new URL("..", import.meta.url).pathname;
const schema = JSON.parse(readFileSync(join(root, "schema/aws-lambda.schema.json"), "utf8"));
// The VM environment the filter sees: an iam object without keys takes these, apikey_env names LAMBDA_API_KEY
// (the schema cannot know them).
const ENV = "AWS_ACCESS_KEY_ID=AKIDENV\nAWS_SECRET_ACCESS_KEY=envsecret\nLAMBDA_API_KEY=envkey\n";

let unit: { configSummary(text: string, env: string): string };
let validate: (config: unknown) => boolean;
before(async () => {
  unit = await loadUnit("config");
  validate = new Ajv({ strict: true, strictRequired: false }).compile(schema);
});

/** The filter's verdict: null when accepted, else its message. */
function filterError(config: unknown): string | null {
  const result = JSON.parse(unit.configSummary(JSON.stringify(config), ENV));
  return typeof result.error === "string" ? result.error : null;
}

function disagreement(config: unknown): string | null {
  const error = filterError(config);
  const valid = validate(config);
  if ((error === null) === valid) return null;
  return valid ? `schema accepts, filter refuses: ${error}` : "filter accepts, schema refuses";
}

describe("JSON Schema", () => {
  test("the generated field table and JSON Schema are up to date with schema/fields.mjs", () => {
    // Exits 1 naming each stale file when the declaration changed without `npm run schema`.
    execFileSync(process.execPath, [join(root, "scripts/generate-schema.mjs"), "--check"], { stdio: "pipe" });
  });

  test("every field of the filter's table is declared, with the same defaults", () => {
    const table = readFileSync(join(root, "assembly/config/fields.ts"), "utf8");
    for (const field of FIELDS) {
      assert.match(table, new RegExp(`new \\w+Field\\("${field.name}"`), field.name);
      if (field.default !== undefined) assert.equal(schema.properties[field.name].default, field.default, field.name);
    }
  });

  test("the schema and the filter agree on every plugin config in examples/", () => {
    const configs: Array<[string, unknown]> = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith(".json")) {
          const value = JSON.parse(readFileSync(path, "utf8"));
          if (typeof value?.function_uri === "string") configs.push([path, value]);
        }
      }
    };
    walk(join(root, "examples"));
    assert.ok(configs.length > 0, "examples/ holds plugin configs");
    for (const [path, config] of configs) assert.equal(disagreement(config), null, path);
    // The examples' configs are meant to load, but for the one hot-reload example of a refused edit.
    const refused = configs.filter(([, config]) => filterError(config) !== null).map(([path]) => path.slice(root.length));
    assert.deepEqual(refused, ["examples/envoy-hot-reload/bad.json"]);
  });

  test("a typo, a wrong type and a bound are refused by both, naming the field", () => {
    const uri = "https://x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
    for (const config of [{ function_uri: uri, timout: 5000 }, { function_uri: uri, timeout: "5000" },
      { function_uri: uri, timeout: 50 }, { function_uri: uri, keepalive_pool: 0 }]) {
      assert.equal(validate(config), false, JSON.stringify(config));
      assert.match(filterError(config) ?? "", /timout|timeout|keepalive_pool/);
    }
  });
});

// ---- generated configs ------------------------------------------------------------------------------
// A valid config of either kind, then 0–2 fields set to values drawn around their rules (valid or not), so
// both verdicts are common and every rule is met alone and together with another.

const URL_VALUES = [
  "https://x9w6z07gb9.execute-api.us-east-1.amazonaws.com", "http://127.0.0.1:9000/fn?stage=a", "HTTPS://Fn.Example.com/",
  "https://[::1]:8443/a/b", "https://host_name.internal:65535", "https://h:00080/p", "http://h/%7Efn/x;y=1",
  // refused: not http(s), credentials, fragment, bad port, bad host, unencoded space, empty host
  "ftp://h", "https://user@h", "https://h/#x", "https://h:0", "https://h:65536", "https://h:99999", "https://h:", "https://h!/",
  "https://h/a b", "https://", "https://[]", "https://[::g]", "h/path",
];
const ARN_VALUES = [
  "arn:aws:lambda:us-east-1:123456789012:function:orders", "arn:aws:lambda:eu-west-1:123456789012:function:orders:prod",
  "123456789012:function:orders", "123456789012:function:orders:$LATEST", "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
  // refused: partition, account, name, qualifier, shape
  "arn:aws-xx:lambda:us-east-1:123456789012:function:f", "arn:aws:lambda:us-east-1:12345:function:f",
  "arn:aws:lambda:us-east-1:123456789012:function:bad.name", "123456789012:function:f:bad/q", "arn:aws:s3:::bucket",
  "arn:aws:lambda::123456789012:function:f",
];
/** Around an integer field's bounds, plus values of the wrong type. */
const around = (min: number, max: number) => [min - 1, min, Math.min(max, min + 7), max, max + 1, 1.5, "7", true, null];

/** Values to try per field path (dotted); the first of each is valid. */
const VALUES: Record<string, unknown[]> = {
  function_uri: [...URL_VALUES, ...ARN_VALUES, 5, ""],
  path_prefix: ["/aws", "/", "/aws/", "aws", "/a?b", "/a*", "/a#", "", 1],
  upstream: ["lambda_api", "127.0.0.1:9000", "a b", "", "x\u007f"],
  authorization: [{}, { iam: {} }, "x", { other: 1 }],
  "authorization.apikey": ["key", "", "k\r\n", 1],
  "authorization.apikey_env": ["LAMBDA_API_KEY", "", "1KEY", "API-KEY", 7],
  "authorization.iam": [{ accesskey: "AKID", secretkey: "s" }, {}, "x", { extra: 1 }],
  "authorization.iam.accesskey": ["AKIDEXAMPLE", "", "A\nB"],
  "authorization.iam.secretkey": ["secret", "", "s\u0000"],
  "authorization.iam.secret_key": ["secret", ""],
  "authorization.iam.session_token": ["token", ""],
  "authorization.iam.aws_region": ["us-east-1", "eu-west-1", "US-EAST-1", "", "eu_west"],
  "authorization.iam.service": ["lambda", "execute-api", "Lambda", ""],
  "authorization.iam.credentials": ["instance", "container", "chain", "environment", "static", "file", ""],
  "authorization.iam.container_endpoint": ["http://127.0.0.1:8080/creds", "https://creds.example.com/v1", "http://169.254.170.2/v2/x",
    "http://[fd00:ec2::23]/v1/credentials", "http://creds.example.com/x", "http://127.evil.example/x", "http://h/?q=1", "ftp://h", ""],
  "authorization.iam.container_upstream": ["creds_cluster", "a b"],
  "authorization.iam.imds_endpoint": ["http://127.0.0.1:1338", "http://[fd00:ec2::254]", "https://imds.example/", "imds", "http://h/#x"],
  "authorization.iam.imds_upstream": ["imds", "x\u0000"],
  "authorization.iam.imds_version": ["v1", "v2", "v3"],
  "authorization.iam.assume_role": [{ role_arn: "arn:aws:iam::123456789012:role/app" }, {}, "x", { role_arn: "arn:aws:iam::1:role/x" },
    { role_arn: "arn:aws:iam::123456789012:user/x" }, { role_arn: "arn:aws:iam::123456789012:role/p/a-b_c+d" }, { extra: 1 }],
  "authorization.iam.assume_role.external_id": ["ext-id:1/2", "x", "bad id"],
  "authorization.iam.assume_role.session_name": ["gateway", "g", "bad name"],
  "authorization.iam.assume_role.duration_seconds": around(900, 43200),
  "authorization.iam.assume_role.sts_endpoint": ["https://sts.eu-west-1.amazonaws.com", "http://127.0.0.1:9443", "sts", ""],
  "authorization.iam.assume_role.sts_upstream": ["sts_cluster", " "],
  timeout: around(100, 2147483647),
  ssl_verify: [false, true, "true"],
  keepalive: [false, true, 0],
  keepalive_pool: around(1, 2147483647),
  keepalive_timeout: around(1000, 2147483647),
  max_req_body_size: around(1, 536870912),
  event_format: ["api_gateway_v1", "api_gateway_v2", "passthrough", "v3", ""],
  unwrap_response: [false, true, "no"],
  invocation_type: ["Event", "RequestResponse", "DryRun"],
  function_error_status: around(400, 599),
  max_retries: around(0, 5),
  allowed_functions: [["orders"], ["a", "b-2"], [], ["bad name"], "orders", [7]],
  qualifiers: [[{ name: "prod", weight: 9 }, { name: "canary" }], [{ name: "blue" }], [], [{ weight: 1 }],
    [{ name: "x", weight: -1 }], [{ name: "bad/q" }], [{ name: "p", other: 1 }], ["prod"],
    Array.from({ length: 65 }, (_, i) => ({ name: `q${i}` }))],
  mode: ["proxy", "callout", "stream"],
  response_stream: [true, false, "yes"],
  timout: [1],
};
const PATHS = Object.keys(VALUES);

function setPath(config: any, path: string, value: unknown): void {
  const keys = path.split(".");
  let at = config;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== "object" || at[key] === null || Array.isArray(at[key])) at[key] = {};
    at = at[key];
  }
  at[keys.at(-1)!] = value;
}

const base = fc.oneof(
  fc.record({ function_uri: fc.constantFrom(...URL_VALUES.slice(0, 7)), authorization: fc.constantFrom(undefined,
    { apikey: "k" }, { iam: { accesskey: "AKID", secretkey: "s" } }, { iam: {} }) }),
  fc.record({ function_uri: fc.constantFrom(...ARN_VALUES.slice(0, 5)), authorization: fc.constant({ iam: { service: "lambda" } }) }),
);
const mutation = fc.constantFrom(...PATHS).chain((path) => fc.tuple(fc.constant(path), fc.constantFrom(...VALUES[path])));

const configs = fc.tuple(base, fc.array(mutation, { maxLength: 2 })).map(([start, mutations]) => {
  const config: any = structuredClone(start);
  if (config.authorization === undefined) delete config.authorization;
  for (const [path, value] of mutations) setPath(config, path, value);
  // The schema cannot see the VM environment (it has AWS keys here, no container variables): a container
  // source needs its endpoint in the config to be judged the same way.
  const iam = config.authorization?.iam;
  if (iam?.credentials === "container" && iam.container_endpoint === undefined) iam.container_endpoint = "http://127.0.0.1:8080/creds";
  // A full ARN names its region; a different aws_region is refused by a rule no schema can state.
  const arn = /^arn:[^:]*:lambda:([^:]+):/.exec(String(config.function_uri));
  const region = config.authorization?.iam?.aws_region;
  if (arn && typeof region === "string" && region.length > 0 && region !== arn[1]) config.authorization.iam.aws_region = arn[1];
  return config;
});

test(`the schema and the filter accept and refuse the same generated configs (seed ${FUZZ_SEED})`, () => {
  const outcome = { accepted: 0, refused: 0 };
  fc.assert(fc.property(configs, (config) => {
    const problem = disagreement(config);
    if (problem !== null) throw new Error(`${problem}\n${JSON.stringify(config)}\nreplay: ${replayHint("config-schema.test.ts")}`);
    if (filterError(config) === null) outcome.accepted++;
    else outcome.refused++;
  }), { numRuns: scaled(4000), seed: seedFor("config-schema agreement") });
  // Both verdicts must be exercised, or the agreement says nothing.
  console.log(JSON.stringify(outcome));
  assert.ok(outcome.accepted > 400 && outcome.refused > 400, JSON.stringify(outcome));
});
