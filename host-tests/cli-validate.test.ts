// `aws-lambda-wasm validate` beyond the filter's first error: every problem the published JSON Schema
// finds, in words, with the nearest declared field for an unknown key; and the CLI's run-time imports are
// dependencies (not devDependencies), so an installed package can run it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { schemaProblems, suggestField } from "../cli/schema-problems.mjs";
import { runCli } from "./support/cli-run.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "aws-lambda-validate-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const seedUri = "https://x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
const arn = "arn:aws:lambda:us-east-1:123456789012:function:orders";
let files = 0;

function validate(config: unknown) {
  const file = join(dir, `plugin-${files++}.json`);
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return runCli(["validate", file]);
}

test("validate lists every problem at once after the filter's first, with the nearest field for typos", () => {
  const r = validate({ function_uri: seedUri, timout: 5000, keepalive_pool: 0, ssl_verify: "no",
    authorization: { iam: { acesskey: "AKID", secretkey: "s", aws_regoin: "us-east-1" } } });
  assert.equal(r.code, 1);
  const [first, header, ...lines] = r.stderr.trimEnd().split("\n");
  assert.match(first, /^\[critical\] aws-lambda: configuration refused: /);
  assert.equal(header, "every problem the JSON Schema (schema/aws-lambda.schema.json) finds:");
  assert.deepEqual(lines.map((l) => l.trim()).sort(), [
    '"authorization.iam.acesskey" is not a field: did you mean "authorization.iam.accesskey"?',
    '"authorization.iam.aws_regoin" is not a field: did you mean "authorization.iam.aws_region"?',
    '"authorization.iam.secretkey" needs "authorization.iam.accesskey"',
    '"keepalive_pool" must be at least 1, not 0',
    '"ssl_verify" must be a boolean, not string',
    '"timout" is not a field: did you mean "timeout"?',
  ]);
});

test("a lone typo gets its suggestion; a lone plain problem prints only the filter's line", () => {
  const typo = validate({ function_uri: seedUri, timout: 5000 });
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /additional properties forbidden, found "timout"\n.*\n {2}"timout" is not a field: did you mean "timeout"\?\n$/);
  const bound = validate({ function_uri: seedUri, timeout: 50 });
  assert.equal(bound.stderr, '[critical] aws-lambda: configuration refused: property "timeout" validation failed: '
    + "expected 50 to be at least 100\n");
});

test("an accepted config prints no schema lines; invalid JSON is left to the filter's message", () => {
  const ok = validate({ function_uri: seedUri, path_prefix: "/aws" });
  assert.equal(ok.code, 0);
  assert.equal(ok.stderr, "");
  const broken = validate("{\"function_uri\": ");
  assert.equal(broken.code, 1);
  assert.doesNotMatch(broken.stderr, /JSON Schema/);
});

test("the problems name ARN-only and URL-only fields, exclusive pairs, missing members and forms", () => {
  assert.deepEqual(schemaProblems({ function_uri: "ftp://x", event_format: "v2", path_prefix: "aws" }).sort(), [
    '"event_format" must be one of "api_gateway_v2", "api_gateway_v1", "passthrough"',
    '"event_format" only applies when function_uri is a Lambda function ARN',
    '"function_uri" must be an absolute http(s) URL (no credentials or fragment) or a Lambda function ARN',
    '"path_prefix" must start with "/" and hold no "*", "?" or "#"',
  ]);
  assert.deepEqual(schemaProblems({ function_uri: arn, authorization: { apikey: "k" }, qualifiers: [{ nme: "x" }] }).sort(), [
    '"authorization.apikey" does not apply to the Invoke API (function_uri is a Lambda function ARN)',
    '"authorization.iam" is required',
    '"qualifiers[0].name" is required',
    '"qualifiers[0].nme" is not a field: did you mean "qualifiers[0].name"?',
  ]);
  assert.deepEqual(schemaProblems({ function_uri: seedUri, authorization: { apikey: "k", apikey_env: "K", iam: { accesskey: "A" } } }).sort(), [
    '"authorization.iam.accesskey" needs "authorization.iam.secretkey" or "authorization.iam.secret_key"',
    'use either "authorization.apikey" or "authorization.apikey_env", not both',
  ]);
  assert.deepEqual(schemaProblems({ function_uri: `${arn}:prod`, authorization: { iam: {} }, qualifiers: [{ name: "a" }] }),
    ['"qualifiers" does not apply when function_uri names its qualifier (drop one of them)']);
  // Without function_uri only that is said, not the Invoke API's rules.
  assert.deepEqual(schemaProblems({}), ['"function_uri" is required']);
  assert.deepEqual(schemaProblems([1]), ["the config must be an object, not array"]);
});

test("suggestions: edit distance within the object, else where a field of that name lives, else none", () => {
  assert.equal(suggestField([], "timout"), 'did you mean "timeout"?');
  assert.equal(suggestField([], "keepalive_timout"), 'did you mean "keepalive_timeout"?');
  assert.equal(suggestField(["authorization"], "api_key"), 'did you mean "authorization.apikey"?');
  assert.equal(suggestField([], "aws_region"), 'it belongs at "authorization.iam.aws_region"');
  assert.equal(suggestField([], "session_name"), 'it belongs at "authorization.iam.assume_role.session_name"');
  assert.equal(suggestField([], "frobnicate"), "");
});

test("every package the CLI imports at run time is a dependency, not a devDependency", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const sources = [...readdirSync(join(root, "cli")).map((f) => join("cli", f)), ...readdirSync(join(root, "bin")).map((f) => join("bin", f))]
    .filter((f) => f.endsWith(".mjs"));
  const imported = new Set<string>();
  for (const file of sources) {
    for (const [, spec] of readFileSync(join(root, file), "utf8").matchAll(/^import [^"']*["']([^"'.][^"']*)["']/gm)) {
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (!spec.startsWith("node:") && !builtinModules.includes(name)) imported.add(name);
    }
  }
  assert.ok(imported.has("ajv") && imported.has("fastest-levenshtein"), [...imported].join(", "));
  for (const name of imported) assert.ok(pkg.dependencies?.[name], `${name} is imported by the CLI but not in dependencies`);
});

test("a config that reads keys from the environment, validated without --env, is refused with a hint to pass it", () => {
  const config = { function_uri: seedUri, authorization: { iam: { credentials: "environment" } } };
  const file = join(dir, `plugin-${files++}.json`);
  writeFileSync(file, JSON.stringify(config));
  const without = runCli(["validate", file]);
  assert.equal(without.code, 1);
  assert.match(without.stderr, /AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY missing from the VM environment/);
  assert.match(without.stderr, /^hint: without --env the filter sees no environment; --env gives it this shell's/m);
  const withEnv = runCli(["validate", file, "--env"], { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "example" });
  assert.equal(withEnv.code, 0, withEnv.stderr);
  assert.doesNotMatch(withEnv.stderr + withEnv.stdout, /hint:/);
  // --env given but the shell lacks the keys: the refusal stands, without the hint.
  const empty = runCli(["validate", file, "--env"]);
  assert.equal(empty.code, 1);
  assert.doesNotMatch(empty.stderr, /hint:/);
});
