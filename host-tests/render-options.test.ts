// render envoy's --envoy-version, --secrets and --trusted-ca, and render apisix's config.yaml entry: what
// each prints, what it warns about on stderr, and (for the Envoy version) what the filter then gets to see.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { checkEnvoy } from "../cli/envoy-shape.mjs";
import { filterHost } from "./support/filter-host.ts";
import { runCli } from "./support/cli-run.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const seedUri = "https://x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
const dir = mkdtempSync(join(tmpdir(), "aws-lambda-render-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function configFile(config: object): string {
  const file = join(dir, `plugin-${files++}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const run = runCli;

/** render envoy: exit 0, the parsed output, the filter's PluginConfig and its plugin JSON. */
function renderEnvoy(config: object, ...extra: string[]) {
  const r = run(["render", "envoy", configFile(config), ...extra]);
  assert.equal(r.code, 0, r.stderr);
  const body = YAML.parse(r.stdout);
  const pluginConfig = extra.includes("--ecds") ? body.resources[0].typed_config.config : body.http_filters[0].typed_config.config;
  return { ...r, body, pluginConfig, plugin: JSON.parse(pluginConfig.configuration.value) };
}

const iamKeys = { accesskey: "AKIDEXAMPLE", secretkey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", session_token: "FwoGZXIvYXdzEXAMPLE" };

test("--envoy-version defaults to a current release: both 1.33+/1.35+ fields, no warning", () => {
  const { pluginConfig, stderr } = renderEnvoy({ function_uri: seedUri });
  assert.equal(pluginConfig.allow_on_headers_stop_iteration, true);
  assert.equal(pluginConfig.failure_policy, "FAIL_CLOSED");
  assert.equal(stderr, "");
});

test("--envoy-version 1.34 leaves allow_on_headers_stop_iteration out and warns that bodies stall", () => {
  for (const extra of [[], ["--ecds"]]) {
    const { body, pluginConfig, stderr, stdout } = renderEnvoy({ function_uri: seedUri }, "--envoy-version", "1.34", ...extra);
    assert.equal("allow_on_headers_stop_iteration" in pluginConfig, false, extra.join(" "));
    assert.equal(pluginConfig.failure_policy, "FAIL_CLOSED");
    assert.deepEqual(extra.length ? checkEnvoy(body, "DiscoveryResponse") : checkEnvoy(body.http_filters[0], "HttpFilter"), []);
    assert.match(stderr, /^warning: Envoy 1\.34 has no allow_on_headers_stop_iteration \(1\.35\+\)/m);
    assert.match(stderr, /requests with a body stall until Envoy's stream idle timeout/);
    assert.match(stdout, /^# aws-lambda-wasm render envoy \S+ --envoy-version 1\.34/);
  }
});

test("--envoy-version 1.35 and 1.35.2 keep the field without a warning; v1.36 parses", () => {
  for (const version of ["1.35", "1.35.2", "v1.36"]) {
    const { pluginConfig, stderr } = renderEnvoy({ function_uri: seedUri }, "--envoy-version", version);
    assert.equal(pluginConfig.allow_on_headers_stop_iteration, true, version);
    assert.equal(stderr, "", version);
  }
});

test("--envoy-version 1.32 also leaves failure_policy out (fail_open's default fails closed) and says so", () => {
  const { pluginConfig, stderr } = renderEnvoy({ function_uri: seedUri }, "--envoy-version", "1.32");
  assert.equal("failure_policy" in pluginConfig, false);
  assert.equal("fail_open" in pluginConfig, false);
  assert.match(stderr, /^note: Envoy 1\.32 has no failure_policy \(1\.33\+\)/m);
});

test("a malformed --envoy-version, --secrets or empty --trusted-ca is a usage error, exit 2", () => {
  const file = configFile({ function_uri: seedUri });
  for (const [option, value, message] of [["--envoy-version", "latest", /--envoy-version must be a release such as 1\.36, not latest/],
    ["--secrets", "vault", /--secrets must be env or inline, not vault/], ["--trusted-ca", "", /--trusted-ca needs the path/]] as const) {
    const r = run(["render", "envoy", file, `${option}=${value}`]);
    assert.equal(r.code, 2, option);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
  }
});

// What the warning says, seen from the filter: the version's PluginConfig drives the emulated Envoy.
for (const [version, stalls] of [["1.34", true], ["1.36", false]] as const) {
  test(`a POST with a body ${stalls ? "stalls" : "reaches the function"} under the config rendered for Envoy ${version}`, async () => {
    const { pluginConfig, plugin } = renderEnvoy({ function_uri: seedUri, path_prefix: "/aws" }, "--envoy-version", version);
    const host = await filterHost("envoy", null, {
      host: { callouts: "capture", allowOnHeadersStopIteration: pluginConfig.allow_on_headers_stop_iteration ?? false },
    });
    const rootId = host.configure(plugin).rootId;
    const reply = await host.request(rootId, { method: "POST", path: "/aws/fn", body: "{\"a\":1}" },
      { answer: () => ({ headers: [[":status", "200"]], body: "ok" }) });
    if (stalls) {
      assert.equal(reply.status, 0);
      assert.match(reply.stalled ?? "", /StopAllIterationAndWatermark/);
      assert.equal(host.getCallouts().length, 0);
    } else {
      assert.equal(reply.status, 200);
      assert.equal(host.getCallouts()[0].body.toString(), "{\"a\":1}");
    }
    const get = await host.request(rootId, { method: "GET", path: "/aws/fn" }, { answer: () => ({ headers: [[":status", "200"]], body: "ok" }) });
    assert.equal(get.status, 200, "a request without a body works either way");
  });
}

test("--secrets env (default): IAM keys leave the config, the VM gets them from Envoy's environment, a note says so", () => {
  const { pluginConfig, plugin, stderr, stdout } = renderEnvoy({ function_uri: seedUri, authorization: { iam: { ...iamKeys, aws_region: "us-east-1" } } });
  assert.deepEqual(plugin.authorization, { iam: { aws_region: "us-east-1", credentials: "environment" } });
  assert.deepEqual(pluginConfig.vm_config.environment_variables, { host_env_keys: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] });
  assert.equal(pluginConfig.vm_config.vm_id, "aws-lambda-env");
  for (const secret of Object.values(iamKeys)) assert.equal(stdout.includes(secret), false, "no secret in the output");
  assert.match(stderr, /^note: authorization\.iam\.accesskey, authorization\.iam\.secretkey, authorization\.iam\.session_token left out of the rendered config \(--secrets env\): start Envoy with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN in its environment/m);
  assert.doesNotMatch(stderr, /warning/);
});

test("--secrets env: the spelling secret_key leaves too; without a session token the note asks for two variables", () => {
  const { plugin, stderr } = renderEnvoy({ function_uri: seedUri, authorization: { iam: { accesskey: "AKID", secret_key: "s" } } });
  assert.deepEqual(plugin.authorization.iam, { credentials: "environment" });
  assert.match(stderr, /start Envoy with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in its environment/);
});

test("--secrets inline renders the keys as written and warns that they are literal", () => {
  const config = { function_uri: seedUri, authorization: { iam: iamKeys } };
  const { plugin, pluginConfig, stderr } = renderEnvoy(config, "--secrets", "inline");
  assert.deepEqual(plugin, config);
  assert.equal(pluginConfig.vm_config.environment_variables, undefined);
  assert.match(stderr, /^warning: literal secrets rendered into the filter config: authorization\.iam\.accesskey, authorization\.iam\.secretkey, authorization\.iam\.session_token \(--secrets env would leave them out\); anyone who reads this config or Envoy's admin \/config_dump sees them\./m);
});

test("--secrets env moves an API key to apikey_env: the VM reads LAMBDA_API_KEY from Envoy's environment", () => {
  const { plugin, pluginConfig, stderr, stdout } = renderEnvoy({ function_uri: seedUri, authorization: { apikey: "my-api-key" } });
  assert.deepEqual(plugin.authorization, { apikey_env: "LAMBDA_API_KEY" });
  assert.deepEqual(pluginConfig.vm_config.environment_variables, { host_env_keys: ["LAMBDA_API_KEY"] });
  assert.equal(pluginConfig.vm_config.vm_id, "aws-lambda-env-lambda-api-key");
  assert.equal(stdout.includes("my-api-key"), false, "no API key in the output");
  assert.match(stderr, /^note: authorization\.apikey left out of the rendered config \(--secrets env\): start Envoy with LAMBDA_API_KEY in its environment/m);
  assert.doesNotMatch(stderr, /warning/);
  assert.match(stdout, /^# Start Envoy with LAMBDA_API_KEY set/m);
});

test("--secrets env with an API key and IAM keys: both leave, the VM gets every variable under its own vm_id", () => {
  const { plugin, pluginConfig, stderr } = renderEnvoy({ function_uri: seedUri, authorization: { apikey: "k", iam: iamKeys } }, "--ecds");
  assert.deepEqual(plugin.authorization, { apikey_env: "LAMBDA_API_KEY", iam: { credentials: "environment" } });
  assert.deepEqual(pluginConfig.vm_config.environment_variables.host_env_keys,
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_API_KEY"]);
  assert.equal(pluginConfig.vm_config.vm_id, "aws-lambda-env-lambda-api-key");
  assert.match(stderr, /start Envoy with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, LAMBDA_API_KEY in its environment/);
});

test("a config that already names apikey_env renders as written and passes that variable", () => {
  const config = { function_uri: seedUri, authorization: { apikey_env: "MY_KEY" } };
  const { plugin, pluginConfig, stderr } = renderEnvoy(config);
  assert.deepEqual(plugin, config);
  assert.deepEqual(pluginConfig.vm_config.environment_variables, { host_env_keys: ["MY_KEY"] });
  assert.match(stderr, /^note: the filter reads the API key from MY_KEY \(authorization\.apikey_env\)/m);
  const apisix = run(["render", "apisix", configFile(config), "--uri", "/aws"]);
  assert.equal(apisix.code, 0, apisix.stderr);
  assert.match(apisix.stderr, /envs:\n(?:\s+- \w+\n)*\s+- MY_KEY/);
});

test("--secrets inline keeps an API key and warns that it is literal", () => {
  const { plugin, pluginConfig, stderr } = renderEnvoy({ function_uri: seedUri, authorization: { apikey: "my-api-key" } }, "--secrets", "inline");
  assert.equal(plugin.authorization.apikey, "my-api-key");
  assert.equal(pluginConfig.vm_config.environment_variables, undefined);
  assert.match(stderr, /^warning: literal secrets rendered into the filter config: authorization\.apikey \(--secrets env would leave them out\)/m);
});

test("a config without secrets renders without notes; iam {} (the chain) already reads the environment", () => {
  const { pluginConfig, stderr } = renderEnvoy({ function_uri: seedUri, authorization: { iam: {} } });
  assert.deepEqual(pluginConfig.vm_config.environment_variables.host_env_keys, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"]);
  assert.equal(stderr, "");
});

test("--trusted-ca sets the cluster's CA bundle and the mapping note; the default is Debian's", () => {
  const trusted = (r: ReturnType<typeof renderEnvoy>) => r.body.clusters[0].transport_socket.typed_config.common_tls_context.validation_context.trusted_ca;
  assert.deepEqual(trusted(renderEnvoy({ function_uri: seedUri })), { filename: "/etc/ssl/certs/ca-certificates.crt" });
  const custom = renderEnvoy({ function_uri: seedUri }, "--trusted-ca", "/etc/pki/tls/certs/ca-bundle.crt");
  assert.deepEqual(trusted(custom), { filename: "/etc/pki/tls/certs/ca-bundle.crt" });
  assert.match(custom.stdout, /^# ssl_verify true: certificate checked against \/etc\/pki\/tls\/certs\/ca-bundle\.crt/m);
});

test("render apisix prints the config.yaml entry the examples use, named as the route's plugin", () => {
  const r = run(["render", "apisix", configFile({ function_uri: seedUri, path_prefix: "/aws" }), "--uri", "/aws/*"]);
  assert.equal(r.code, 0, r.stderr);
  const [, yaml] = /^note: conf\/config\.yaml declares the plugin \(restart APISIX once after adding it\):\n([\s\S]*)$/.exec(r.stderr)!;
  const entry = YAML.parse(yaml);
  const example = YAML.parse(readFileSync(join(root, "examples", "apisix", "config.yaml"), "utf8"));
  assert.deepEqual(entry.wasm, example.wasm);
  assert.equal(entry.nginx_config, undefined, "keys not needed from the environment");
  assert.deepEqual(Object.keys(JSON.parse(r.stdout).plugins), [entry.wasm.plugins[0].name]);
  const readme = readFileSync(join(root, "README.md"), "utf8");
  assert.ok(readme.includes(`file: ${entry.wasm.plugins[0].file}`), "README names the same file");
});

test("render apisix: --name and --wasm-path reach the entry; iam without keys adds nginx_config.envs", () => {
  const r = run(["render", "apisix", configFile({ function_uri: seedUri, authorization: { iam: {} } }), "--uri", "/aws",
    "--name", "lambda-wasm", "--wasm-path", "/opt/wasm/aws-lambda.wasm"]);
  assert.equal(r.code, 0, r.stderr);
  const entry = YAML.parse(r.stderr.slice(r.stderr.indexOf("\nwasm:") + 1));
  assert.deepEqual(entry.wasm.plugins, [{ name: "lambda-wasm", priority: -1898, file: "/opt/wasm/aws-lambda.wasm", http_request_phase: "access" }]);
  assert.deepEqual(entry.nginx_config, { envs: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"] });
  assert.deepEqual(Object.keys(JSON.parse(r.stdout).plugins), ["lambda-wasm"]);
});
