// The aws-lambda-wasm CLI: `validate` runs the real build/aws-lambda.wasm at configure time and prints
// the gateway's log lines; `render envoy|apisix` turns an accepted config into gateway config.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { checkEnvoy } from "../cli/envoy-shape.mjs";
import { runCli } from "./support/cli-run.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "aws-lambda-wasm.mjs");
const dir = mkdtempSync(join(tmpdir(), "aws-lambda-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const seedUri = "https://x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
const seedHost = "x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
let files = 0;

/** Writes a plugin config (object or raw text) to a temp file and returns its path. */
function configFile(config: unknown): string {
  const file = join(dir, `plugin-${files++}.json`);
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return file;
}

/** Runs the installed entry point as a user would: plain node, no tsx. */
function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8", input: options.input, env: { PATH: process.env.PATH ?? "", ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const run = runCli;

function renderEnvoy(config: unknown, ...extra: string[]) {
  const result = run(["render", "envoy", configFile(config), ...extra]);
  assert.equal(result.code, 0, result.stderr);
  const body = YAML.parse(result.stdout);
  return { ...result, body, filter: body.http_filters?.[0], cluster: body.clusters?.[0] };
}

test("validate accepts the API-key seed config and prints the filter's info line", () => {
  const r = cli(["validate", configFile({ function_uri: `${seedUri}/default/test-apisix`, authorization: { apikey: "k" } })]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `[info] aws-lambda: configured on envoy: function ${seedUri}/default/test-apisix, `
    + `upstream "${seedHost}", auth api key, timeout 3000 ms\n`);
  assert.equal(r.stderr, "");
});

test("validate refuses timeout 50 with APISIX's message and exit 1", () => {
  const r = cli(["validate", configFile({ function_uri: seedUri, timeout: 50 })]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, '[critical] aws-lambda: configuration refused: property "timeout" validation failed: '
    + "expected 50 to be at least 100\n");
  assert.equal(r.stdout, "");
});

test("validate refuses a wrong type and an unknown key, naming them", () => {
  const wrongType = run(["validate", configFile({ function_uri: seedUri, timeout: "3000" })]);
  assert.equal(wrongType.code, 1);
  assert.match(wrongType.stderr, /property "timeout" validation failed: wrong type: expected integer, got string/);
  const unknown = run(["validate", configFile({ function_uri: seedUri, functon: 1 })]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /configuration refused: additional properties forbidden, found "functon"/);
});

test("validate reports invalid JSON through the filter's own parser", () => {
  const r = run(["validate", configFile('{"function_uri": ')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^\[critical\] aws-lambda: configuration refused: invalid configuration JSON: /);
});

test("--host apisix skips vm_start, so the filter warns about ssl_verify there and not on Envoy", () => {
  const file = configFile({ function_uri: seedUri, ssl_verify: false });
  const envoy = run(["validate", file]);
  assert.equal(envoy.code, 0);
  assert.equal(envoy.stderr, "");
  const apisix = run(["validate", file, "--host", "apisix"]);
  assert.equal(apisix.code, 0);
  assert.match(apisix.stdout, /configured on apisix: /);
  assert.match(apisix.stderr, /^\[warn\] aws-lambda: ssl_verify false: cannot take effect on APISIX/);
});

test("iam credentials from the environment need --env and the AWS variables", () => {
  const file = configFile({ function_uri: seedUri, authorization: { iam: { credentials: "environment" } } });
  const env = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };
  const without = cli(["validate", file], { env });
  assert.equal(without.code, 1);
  assert.match(without.stderr, /credentials "environment": AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY missing from the VM environment/);
  const withEnv = cli(["validate", file, "--env"], { env });
  assert.equal(withEnv.code, 0, withEnv.stderr);
  assert.match(withEnv.stdout, /auth iam \(region us-east-1, service execute-api from endpoint, credentials from environment\)/);
  // Without `credentials`, an iam object without keys is the SDKs' chain: environment first.
  const chain = cli(["validate", configFile({ function_uri: seedUri, authorization: { iam: {} } }), "--env"], { env });
  assert.match(chain.stdout, /credentials from chain: environment\)/);
});

test("validate reads standard input for -", () => {
  const r = cli(["validate", "-"], { input: JSON.stringify({ function_uri: seedUri }) });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /auth none, timeout 3000 ms/);
});

test("a missing file is exit 2 with one clear line", () => {
  const r = run(["validate", join(dir, "nope.json")]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `aws-lambda-wasm: cannot read ${join(dir, "nope.json")}: no such file\n`);
});

test("a missing filter module is exit 2 naming it", () => {
  const r = run(["validate", configFile({ function_uri: seedUri }), "--wasm", join(dir, "none.wasm")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot load the filter .*none\.wasm: no such file/);
});

test("usage errors print the usage; help prints it on stdout", () => {
  for (const args of [[], ["frobnicate"], ["render", "nginx", "x.json"], ["validate"], ["validate", "x", "--host", "iis"], ["validate", "x", "--bogus"]]) {
    const r = run(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, /^aws-lambda-wasm: .*\n\nusage:/, args.join(" "));
  }
  const help = cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /aws-lambda-wasm validate FILE/);
});

test("render envoy: the filter carries the config, the cluster is named as the filter's upstream", () => {
  const config = { function_uri: seedUri, path_prefix: "/aws", authorization: { apikey: "k" } };
  const { filter, cluster, body, stdout } = renderEnvoy(config, "--wasm-path", "build/aws-lambda.wasm", "--secrets", "inline");
  assert.deepEqual(checkEnvoy(filter, "HttpFilter"), []);
  assert.deepEqual(checkEnvoy(cluster, "Cluster"), []);
  const plugin = filter.typed_config.config;
  assert.equal(plugin.configuration.value, JSON.stringify(config));
  assert.equal(plugin.allow_on_headers_stop_iteration, true);
  assert.equal(plugin.failure_policy, "FAIL_CLOSED");
  assert.equal(plugin.vm_config.code.local.filename, "build/aws-lambda.wasm");
  assert.equal(plugin.vm_config.environment_variables, undefined);
  assert.equal(plugin.vm_config.vm_id, "aws-lambda");
  // The cluster name is what the filter itself reports as its upstream.
  const upstream = /upstream "([^"]+)"/.exec(run(["validate", configFile(config)]).stdout)![1];
  assert.equal(cluster.name, upstream);
  assert.equal(cluster.load_assignment.cluster_name, upstream);
  assert.equal(cluster.type, "LOGICAL_DNS");
  assert.deepEqual(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address,
    { address: seedHost, port_value: 443 });
  const tls = cluster.transport_socket.typed_config;
  assert.equal(tls.sni, seedHost);
  assert.deepEqual(tls.common_tls_context.validation_context.trusted_ca, { filename: "/etc/ssl/certs/ca-certificates.crt" });
  assert.deepEqual(tls.common_tls_context.validation_context.match_typed_subject_alt_names,
    [{ san_type: "DNS", matcher: { exact: seedHost } }]);
  assert.deepEqual(Object.keys(body), ["http_filters", "clusters"]);
  assert.match(stdout, /^# aws-lambda-wasm render envoy /);
});

test("ssl_verify false: TLS with SNI but no validation context", () => {
  const tls = renderEnvoy({ function_uri: seedUri, ssl_verify: false }).cluster.transport_socket.typed_config;
  assert.equal(tls.sni, seedHost);
  assert.equal(tls.common_tls_context, undefined);
});

const httpOptions = (cluster: any) =>
  cluster.typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"].common_http_protocol_options;

test("keepalive false: one request per connection", () => {
  assert.deepEqual(httpOptions(renderEnvoy({ function_uri: seedUri, keepalive: false }).cluster), { max_requests_per_connection: 1 });
});

test("keepalive_timeout becomes the cluster's idle_timeout", () => {
  assert.deepEqual(httpOptions(renderEnvoy({ function_uri: seedUri }).cluster), { idle_timeout: "60s" });
  assert.deepEqual(httpOptions(renderEnvoy({ function_uri: seedUri, keepalive_timeout: 1500 }).cluster), { idle_timeout: "1.5s" });
});

test("timeout stays in the filter config, not a route; it also bounds connecting", () => {
  const { filter, cluster, stdout } = renderEnvoy({ function_uri: seedUri, timeout: 6000 });
  assert.equal(JSON.parse(filter.typed_config.config.configuration.value).timeout, 6000);
  assert.equal(cluster.connect_timeout, "6s");
  assert.doesNotMatch(stdout, /^\s*(route|timeout):/m);
});

test("keepalive_pool is reported as not applied instead of capping connections", () => {
  const { cluster, stdout } = renderEnvoy({ function_uri: seedUri, keepalive_pool: 20 });
  assert.equal(cluster.circuit_breakers, undefined);
  assert.match(stdout, /^# keepalive_pool 20: not applied;/m);
});

test("iam without keys (the chain) passes every credential variable from Envoy's environment, in a VM of its own", () => {
  const { filter } = renderEnvoy({ function_uri: seedUri, authorization: { iam: {} } });
  const vm = filter.typed_config.config.vm_config;
  assert.deepEqual(vm.environment_variables, { host_env_keys: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"] });
  // Envoy's VM key is vm_id + configuration + code: a shared id would reuse a VM without the variables.
  assert.match(vm.vm_id, /^aws-lambda-env-[0-9a-f]{8}$/);
  const environment = renderEnvoy({ function_uri: seedUri, authorization: { iam: { credentials: "environment" } } });
  assert.equal(environment.filter.typed_config.config.vm_config.vm_id, "aws-lambda-env");
});

test("an http:// function on an IP literal gets a static plain-HTTP cluster named host:port", () => {
  const { cluster } = renderEnvoy({ function_uri: "http://127.0.0.1:9081/fn" });
  assert.equal(cluster.name, "127.0.0.1:9081");
  assert.equal(cluster.type, "STATIC");
  assert.equal(cluster.transport_socket, undefined);
  assert.equal(cluster.dns_lookup_family, undefined);
  assert.deepEqual(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address,
    { address: "127.0.0.1", port_value: 9081 });
});

test("render envoy --ecds prints a DiscoveryResponse of the filter", () => {
  const { body } = renderEnvoy({ function_uri: seedUri, upstream: "lambda_api" }, "--ecds");
  assert.deepEqual(checkEnvoy(body, "DiscoveryResponse"), []);
  assert.equal(body.resources[0].name, "aws-lambda");
  assert.equal(body.resources[0].typed_config["@type"], "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm");
});

test("render refuses a config the filter refuses, printing nothing on stdout", () => {
  const r = run(["render", "envoy", configFile({ function_uri: seedUri, timeout: 50 })]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /expected 50 to be at least 100/);
});

test("render apisix: the route body carries the plugin config as a string", () => {
  const config = { function_uri: seedUri, path_prefix: "/aws", authorization: { apikey: "k" } };
  const r = run(["render", "apisix", configFile(config), "--uri", "/aws/*"]);
  assert.equal(r.code, 0, r.stderr);
  // Only the config.yaml entry (host-tests/render-options.test.ts), no warning or note about the config.
  assert.match(r.stderr, /^note: conf\/config\.yaml declares the plugin [^\n]*\nwasm:\n/);
  assert.doesNotMatch(r.stderr, /warn|route "/);
  const route = JSON.parse(r.stdout);
  assert.deepEqual(route, { uri: "/aws/*", plugins: { "aws-lambda-wasm": { conf: JSON.stringify(config) } } });
});

test("render apisix notes a wildcard route without path_prefix, and passes on the filter's APISIX warning", () => {
  const r = run(["render", "apisix", configFile({ function_uri: seedUri, ssl_verify: false }), "--uri", "/aws/*"]);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /note: route "\/aws\/\*" forwards sub-paths only with "path_prefix": "\/aws"/);
  assert.match(r.stderr, /\[warn\] aws-lambda: ssl_verify false: cannot take effect on APISIX/);
});

test("render apisix needs --uri", () => {
  const r = run(["render", "apisix", configFile({ function_uri: seedUri })]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /render apisix needs --uri/);
});
