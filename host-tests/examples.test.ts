// examples/: every file parses; the Envoy configs have the v3 shapes they use (no Envoy binary installs
// here, see examples/README.md); each embedded plugin config is accepted by the real filter; clusters are
// named as the filter's upstream; and the files agree with what `aws-lambda-wasm render` prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { checkEnvoy } from "../cli/envoy-shape.mjs";
import { configureFilter } from "../cli/configure.mjs";
import { discoveryResponse, envoyClusters, functionVirtualHost, lambdaCluster, TYPES, wasmFilter } from "../cli/render-envoy.mjs";
import { Host } from "../emulator/index.ts";
import { AwsEndpoint } from "./support/aws-endpoint.ts";
import { apisixRoute, PLUGIN_NAME } from "../cli/render-apisix.mjs";
import { WATCHED_FILE } from "../examples/envoy-hot-reload/swap-config.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const examples = join(root, "examples");
const WASM_PATH = "build/aws-lambda.wasm";
// Envoy fills these from host_env_keys at run time; the filter only needs them present.
const ENV = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

const read = (path: string) => readFileSync(join(examples, path), "utf8");
const yaml = (path: string) => YAML.parse(read(path));
const json = (path: string) => JSON.parse(read(path));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(examples, path)];
  });
}

/** The HTTP connection manager of the bootstrap's only listener. */
function hcm(bootstrap: any) {
  const [listener] = bootstrap.static_resources.listeners;
  return listener.filter_chains[0].filters[0].typed_config;
}

/** Runs the filter's configure path as Envoy would; returns the upstream it reports. */
function acceptedUpstream(pluginText: string, host = "envoy"): string {
  const result = configureFilter({ config: pluginText, host: host as "envoy", env: ENV });
  assert.ok(result.accepted, JSON.stringify(result.logs));
  return /upstream "([^"]+)"/.exec(result.logs[0].message)![1];
}

const staticExamples = ["envoy/envoy.yaml", "envoy/envoy-iam.yaml", "envoy/envoy-instance-role.yaml"];
const bootstraps = [...staticExamples, "envoy-hot-reload/envoy.yaml"];

test("every YAML and JSON file in examples/ parses", () => {
  const files = filesUnder(examples).filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length >= 12, files.join(", "));
  for (const file of files) {
    if (file.endsWith(".json")) assert.doesNotThrow(() => JSON.parse(read(file)), file);
    else for (const doc of YAML.parseAllDocuments(read(file))) assert.deepEqual(doc.errors, [], file);
  }
});

test("the Envoy bootstraps have the v3 shapes they use", () => {
  for (const file of bootstraps) assert.deepEqual(checkEnvoy(yaml(file), "Bootstrap"), [], file);
});

test("the structural check catches misspelled fields, wrong type URLs, bad durations and missing oneofs", () => {
  const broken = (edit: (b: any) => void) => {
    const bootstrap = yaml("envoy/envoy.yaml");
    edit(bootstrap);
    return checkEnvoy(bootstrap, "Bootstrap");
  };
  assert.match(broken((b) => { hcm(b).http_filters[0].typed_config.config.allow_on_header_stop_iteration = true; })[0],
    /unknown field "allow_on_header_stop_iteration" in PluginConfig/);
  assert.match(broken((b) => { hcm(b).http_filters[0].typed_config["@type"] = "type.googleapis.com/envoy.extensions.wasm.v3.Wasm"; })[0],
    /unknown "@type"/);
  assert.match(broken((b) => { b.static_resources.clusters[0].connect_timeout = "3000ms"; })[0], /expected duration/);
  assert.match(broken((b) => { delete hcm(b).route_config.virtual_hosts[0].routes[0].direct_response; })[0],
    /needs exactly one of route, direct_response/);
  assert.match(broken((b) => { b.static_resources.clusters[0].type = "DNS"; })[0], /"DNS" is not one of/);
});

test("each listener sends /aws through the filter, then the router, and 404s the rest without it", () => {
  for (const file of bootstraps) {
    const manager = hcm(yaml(file));
    assert.deepEqual(yaml(file).static_resources.listeners[0].address.socket_address, { address: "127.0.0.1", port_value: 10000 });
    const names = manager.http_filters.map((f: any) => f.name);
    assert.deepEqual(names, ["aws-lambda", "envoy.filters.http.router"], file);
    const routes = manager.route_config.virtual_hosts[0].routes;
    assert.equal(routes[0].match.path, "/aws", file);
    const fallback = routes.at(-1);
    assert.equal(fallback.match.prefix, "/");
    assert.equal(fallback.typed_per_filter_config["aws-lambda"].disabled, true);
  }
  assert.equal(hcm(yaml("envoy/envoy.yaml")).route_config.virtual_hosts[0].routes[1].match.prefix, "/aws/");
});

test("the static examples' plugin configs are accepted by the filter, and a cluster is named as its upstream", () => {
  for (const file of staticExamples) {
    const bootstrap = yaml(file);
    const config = hcm(bootstrap).http_filters[0].typed_config.config;
    assert.equal(config.configuration["@type"], TYPES.string);
    const upstream = acceptedUpstream(config.configuration.value);
    const names = bootstrap.static_resources.clusters.map((c: any) => c.name);
    assert.ok(names.includes(upstream), `${file}: no cluster "${upstream}" in ${names}`);
    assert.ok(existsSync(join(root, config.vm_config.code.local.filename)), "run npm run build first");
  }
});

test("the static examples are what render envoy prints for their plugin configs", () => {
  for (const file of staticExamples) {
    const bootstrap = yaml(file);
    const filter = hcm(bootstrap).http_filters[0];
    const plugin = JSON.parse(filter.typed_config.config.configuration.value);
    assert.deepEqual(filter, wasmFilter(plugin, { wasmPath: WASM_PATH }), file);
    assert.deepEqual(bootstrap.static_resources.clusters, envoyClusters(plugin), file);
  }
});

test("the IAM example takes its credentials from Envoy's environment", () => {
  const config = hcm(yaml("envoy/envoy-iam.yaml")).http_filters[0].typed_config.config;
  assert.deepEqual(JSON.parse(config.configuration.value).authorization, { iam: { credentials: "environment" } });
  assert.deepEqual(config.vm_config.environment_variables.host_env_keys,
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]);
  const refused = configureFilter({ config: config.configuration.value, env: {} });
  assert.equal(refused.accepted, false);
});

test("the instance-role example fetches from instance metadata over plain HTTP and needs no keys", () => {
  const bootstrap = yaml("envoy/envoy-instance-role.yaml");
  const config = hcm(bootstrap).http_filters[0].typed_config.config;
  assert.deepEqual(JSON.parse(config.configuration.value).authorization, { iam: { credentials: "instance" } });
  assert.deepEqual(config.vm_config.environment_variables.host_env_keys, ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"]);
  assert.equal(configureFilter({ config: config.configuration.value, env: {} }).accepted, true, "no AWS_* variables needed");
  const imds = bootstrap.static_resources.clusters.find((c: any) => c.name === "169.254.169.254");
  assert.deepEqual(imds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, { address: "169.254.169.254", port_value: 80 });
  assert.equal(imds.transport_socket, undefined);
});

test("hot reload: the filter comes from a watched ECDS file holding a TypedExtensionConfig of it", () => {
  const filter = hcm(yaml("envoy-hot-reload/envoy.yaml")).http_filters[0];
  assert.equal(filter.typed_config, undefined);
  assert.equal(filter.config_discovery.config_source.path_config_source.path, WATCHED_FILE);
  assert.deepEqual(filter.config_discovery.type_urls, [TYPES.wasm]);
  const response = yaml("envoy-hot-reload/aws-lambda.yaml");
  assert.deepEqual(checkEnvoy(response, "DiscoveryResponse"), []);
  assert.equal(response.resources[0].name, filter.name);
  assert.ok(filter.config_discovery.type_urls.includes(response.resources[0].typed_config["@type"]));
  assert.deepEqual(response, discoveryResponse(json("envoy-hot-reload/apikey.json"), { version: "1", wasmPath: WASM_PATH }));
});

test("hot reload: both configs' clusters exist as render prints them; the bad one is refused", () => {
  const clusters = yaml("envoy-hot-reload/envoy.yaml").static_resources.clusters;
  const expected = ["apikey.json", "iam.json"].map((name) => {
    const text = read(`envoy-hot-reload/${name}`).trim();
    assert.ok(clusters.some((c: any) => c.name === acceptedUpstream(text)), name);
    return lambdaCluster(JSON.parse(text));
  });
  assert.deepEqual(clusters, expected);
  const bad = configureFilter({ config: read("envoy-hot-reload/bad.json"), env: ENV });
  assert.equal(bad.accepted, false);
  assert.match(bad.logs[0].message, /property "timeout" validation failed: expected 50 to be at least 100/);
});

test("swap-config.mjs moves rendered configs into place and leaves the old one for a refused config", (t) => {
  const script = join(examples, "envoy-hot-reload", "swap-config.mjs");
  const temp = mkdtempSync(join(tmpdir(), "ecds-"));
  t.after(() => rmSync(temp, { recursive: true, force: true }));
  const file = join(temp, "ecds", "aws-lambda.yaml");
  const swap = (...args: string[]) => spawnSync(process.execPath, [script, ...args, "--file", file], { encoding: "utf8" });
  assert.equal(swap("init").status, 0);
  assert.equal(readFileSync(file, "utf8"), read("envoy-hot-reload/aws-lambda.yaml"));
  const toIam = swap("swap", "iam");
  assert.equal(toIam.status, 0, toIam.stderr);
  const swapped = YAML.parse(readFileSync(file, "utf8"));
  assert.deepEqual(checkEnvoy(swapped, "DiscoveryResponse"), []);
  assert.equal(swapped.resources[0].typed_config.config.configuration.value, read("envoy-hot-reload/iam.json").trim());
  const before = readFileSync(file, "utf8");
  const refused = swap("swap", "bad");
  assert.equal(refused.status, 1);
  assert.match(refused.stdout, /expected 50 to be at least 100/);
  assert.equal(readFileSync(file, "utf8"), before);
  assert.equal(swap("swap", "bad", "--force").status, 0);
  assert.match(readFileSync(file, "utf8"), /"timeout":50/);
  assert.deepEqual(readdirSync(join(file, "..")), ["aws-lambda.yaml"], "no temp files left behind");
});

test("proxy: the Envoy example is what render envoy prints — the filter, the function's virtual host, its cluster — and runs as written", async () => {
  const bootstrap = yaml("proxy/envoy.yaml");
  assert.deepEqual(checkEnvoy(bootstrap, "Bootstrap"), []);
  const manager = hcm(bootstrap);
  const filter = manager.http_filters[0];
  const plugin = JSON.parse(filter.typed_config.config.configuration.value);
  assert.deepEqual(plugin, json("proxy/plugin-url.json"));
  assert.deepEqual(filter, wasmFilter(plugin, { wasmPath: WASM_PATH }));
  assert.deepEqual(bootstrap.static_resources.clusters, envoyClusters(plugin));
  const [client, fn] = manager.route_config.virtual_hosts;
  assert.deepEqual(fn, functionVirtualHost(plugin));
  assert.ok(client.routes.every((r: any) => r.route === undefined), "the client's routes need no cluster");
  // As written: every virtual host with a cluster route is the emulator's route table, the cluster a loopback stand-in.
  const stand = await AwsEndpoint.start({ iam: { [ENV.AWS_ACCESS_KEY_ID]: { secretKey: ENV.AWS_SECRET_ACCESS_KEY } }, region: "us-east-1",
    service: "lambda", handler: () => ({ body: "streamed" }) });
  try {
    const routes = Object.fromEntries(manager.route_config.virtual_hosts.filter((v: any) => v.routes[0].route)
      .flatMap((v: any) => v.domains.map((d: string) => [d, v.routes[0].route.cluster])));
    const host = await Host.load({ profile: "envoy", env: ENV, allowOnHeadersStopIteration: filter.typed_config.config.allow_on_headers_stop_iteration,
      routes, clusters: Object.fromEntries(bootstrap.static_resources.clusters.map((c: any) => [c.name, stand.url])) });
    const root = host.configure(plugin).rootId;
    const r = await host.request(root, { path: "/aws/stream", authority: "127.0.0.1:10000" });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.body.toString(), "streamed");
    assert.ok(stand.last.signed);
  } finally {
    await stand.close();
  }
});

test("proxy: the APISIX route is what render apisix prints, with the function's upstream", () => {
  assert.deepEqual(json("proxy/apisix-route.json"), apisixRoute(json("proxy/plugin-url.json"), { uri: "/aws/*" }));
  assert.equal(configureFilter({ config: json("proxy/apisix-route.json").plugins[PLUGIN_NAME].conf, host: "apisix", env: ENV }).accepted, true);
  assert.equal(configureFilter({ config: read("proxy/plugin-invoke-stream.json"), host: "apisix", env: ENV }).accepted, false);
  assert.equal(configureFilter({ config: read("proxy/plugin-invoke-stream.json"), env: ENV }).accepted, true);
});

test("APISIX config.yaml declares the wasm plugin under a name the Lua plugin does not own", () => {
  const config = yaml("apisix/config.yaml");
  const [plugin] = config.wasm.plugins;
  assert.equal(plugin.name, PLUGIN_NAME);
  assert.notEqual(plugin.name, "aws-lambda");
  assert.ok(Number.isInteger(plugin.priority) && plugin.priority < 1001, "after limit-req/limit-count");
  assert.match(plugin.file, /\/aws-lambda\.wasm$/);
  assert.deepEqual(config.nginx_config.envs, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]);
});

test("APISIX route bodies carry string confs the filter accepts, as render apisix prints them", () => {
  const routes = readdirSync(join(examples, "apisix", "routes"));
  assert.deepEqual(routes.sort(), ["apikey.json", "disable.json", "iam.json", "instance-role.json", "path-forwarding.json", "update.json"]);
  for (const name of routes.filter((r) => r !== "disable.json")) {
    const route = json(`apisix/routes/${name}`);
    const conf = route.plugins[PLUGIN_NAME].conf;
    assert.equal(typeof conf, "string", name);
    acceptedUpstream(conf, "apisix");
    assert.deepEqual(route, apisixRoute(JSON.parse(conf), { uri: route.uri }), name);
  }
  const forwarding = json("apisix/routes/path-forwarding.json");
  assert.equal(forwarding.uri, "/aws/*");
  assert.equal(JSON.parse(forwarding.plugins[PLUGIN_NAME].conf).path_prefix, "/aws");
  assert.deepEqual(json("apisix/routes/disable.json").plugins, {});
});

test("admin-api.sh offers every route body, and its usage lines come from its header", () => {
  const script = read("apisix/admin-api.sh");
  for (const name of readdirSync(join(examples, "apisix", "routes"))) {
    assert.match(script, new RegExp(`admin-api\\.sh ${name.replace(".json", "")} `), name);
  }
  const usage = spawnSync("bash", [join(examples, "apisix", "admin-api.sh")], { encoding: "utf8" });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^examples\/apisix\/admin-api\.sh apikey/);
});

test("admin-api.sh checks each conf with the filter as APISIX runs it and sends none it refuses", async (t) => {
  const puts: string[] = [];
  const admin = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => { puts.push(`${req.method} ${req.url} ${body}`); res.end("{}"); });
  });
  await new Promise<void>((r) => admin.listen(0, "127.0.0.1", r));
  const dir = mkdtempSync(join(tmpdir(), "admin-api-"));
  t.after(() => { admin.close(); rmSync(dir, { recursive: true, force: true }); });
  const run = (name: string, body: object) => {
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(body));
    return new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn("bash", [join(examples, "apisix", "admin-api.sh"), name], {
        env: { ...process.env, ROUTES: dir, APISIX_ADMIN_KEY: "k", APISIX_ADMIN: `http://127.0.0.1:${(admin.address() as AddressInfo).port}` },
      });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stderr }));
    });
  };
  const plugin = (conf: object) => ({ uri: "/aws", plugins: { [PLUGIN_NAME]: { conf: JSON.stringify(conf) } } });
  const refused = await run("apikey", plugin({ function_uri: "https://a.example.com", upstream: "lambda_api" }));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /configuration refused: property "upstream" validation failed: on APISIX/);
  assert.match(refused.stderr, /not sent/);
  assert.deepEqual(puts, []);
  const good = await run("apikey", plugin({ function_uri: "https://a.example.com", authorization: { iam: { credentials: "environment" } } }));
  assert.equal(good.code, 0, good.stderr);
  assert.equal(puts.length, 1);
  assert.match(puts[0], /^PUT \/apisix\/admin\/routes\/1 /);
  assert.equal((await run("disable", { uri: "/aws", plugins: {} })).code, 0, "a route without the plugin has nothing to check");
});

test("examples/README.md says who enforces every config field on each host", () => {
  const readme = read("README.md");
  const fields = ["function_uri", "path_prefix", "upstream", "authorization.apikey", "authorization.iam", "timeout",
    "ssl_verify", "keepalive", "keepalive_pool", "keepalive_timeout", "max_req_body_size"];
  for (const field of fields) assert.match(readme, new RegExp(`^\\| \`${field.replace(".", "\\.")}`, "m"), field);
  assert.match(readme, /apt-cache search envoy/);
});
