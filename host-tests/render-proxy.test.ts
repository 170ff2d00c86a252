// render envoy / render apisix for proxy mode: Envoy gets the filter with allow_on_headers_stop_iteration,
// the virtual host for the function's authority routing to its TLS cluster (route timeout Lambda's 15 min),
// and notes on re-routing and the Invoke buffer limit; APISIX gets the route with its upstream (the
// function host:443, https, pass_host pass). Each rendering then runs in the emulator exactly as rendered —
// the route table from the virtual hosts, the APISIX upstream from the route — and the signed request
// reaches a loopback endpoint that checks SigV4 like AWS.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import YAML from "yaml";
import { checkEnvoy } from "../cli/envoy-shape.mjs";
import { Host } from "../emulator/index.ts";
import { AwsEndpoint, echo } from "./support/aws-endpoint.ts";
import { configure, json } from "./support/filter-host.ts";
import { FUNCTION_URL_HOST, KEYS } from "./support/proxy-host.ts";
import { runCli } from "./support/cli-run.ts";

const dir = mkdtempSync(join(tmpdir(), "aws-lambda-render-proxy-"));
let files = 0;
let endpoint: AwsEndpoint;
before(async () => {
  endpoint = await AwsEndpoint.start({ iam: { [KEYS.accesskey]: { secretKey: KEYS.secretkey } }, region: "us-east-1", service: "lambda", handler: echo });
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await endpoint.close();
});

const URL_PLUGIN = { function_uri: `https://${FUNCTION_URL_HOST}/base`, path_prefix: "/aws", mode: "proxy", authorization: { iam: { ...KEYS } } };
const ARN_PLUGIN = { function_uri: "arn:aws:lambda:us-east-1:123456789012:function:fn", mode: "proxy", authorization: { iam: { ...KEYS } } };

const run = runCli;

function file(plugin: object): string {
  const path = join(dir, `plugin-${files++}.json`);
  writeFileSync(path, JSON.stringify(plugin));
  return path;
}

test("render envoy, mode proxy: the filter holds headers, a virtual host for the function's authority routes to its TLS cluster", () => {
  const r = run(["render", "envoy", file(URL_PLUGIN), "--secrets", "inline"]);
  assert.equal(r.code, 0, r.stderr);
  const body = YAML.parse(r.stdout);
  assert.equal(body.http_filters[0].typed_config.config.allow_on_headers_stop_iteration, true);
  assert.deepEqual(body.virtual_hosts, [{ name: "aws-lambda-function", domains: [FUNCTION_URL_HOST],
    routes: [{ match: { prefix: "/" }, route: { cluster: FUNCTION_URL_HOST, timeout: "900s" } }] }]);
  assert.deepEqual(checkEnvoy(body.virtual_hosts[0], "VirtualHost"), []);
  const cluster = body.clusters[0];
  assert.equal(cluster.name, FUNCTION_URL_HOST);
  assert.equal(cluster.transport_socket.typed_config.sni, FUNCTION_URL_HOST);
  assert.match(r.stdout, /^# mode proxy: the filter rewrites :authority to /m);
  assert.match(r.stdout, /route timeout 900s: Envoy's 15 s default spans the whole/);
  assert.doesNotMatch(r.stdout, /per_connection_buffer_limit_bytes/);
  // Callout mode renders no virtual host.
  assert.equal(YAML.parse(run(["render", "envoy", file({ ...URL_PLUGIN, mode: "callout" })]).stdout).virtual_hosts, undefined);
});

test("render envoy, mode proxy with an ARN: the note on Envoy's buffer limit and the callout for bodiless requests", () => {
  const r = run(["render", "envoy", file(ARN_PLUGIN)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /raise the listener's per_connection_buffer_limit_bytes to 8388608/);
  assert.equal(YAML.parse(r.stdout).virtual_hosts[0].domains[0], "lambda.us-east-1.amazonaws.com");
});

test("render envoy's proxy config, run as rendered: the rewritten request reaches the cluster through the virtual host, signed", async () => {
  const body = YAML.parse(run(["render", "envoy", file(URL_PLUGIN), "--secrets", "inline"]).stdout);
  const routes = Object.fromEntries(body.virtual_hosts.flatMap((v: any) => v.domains.map((d: string) => [d, v.routes[0].route.cluster])));
  const clusters = Object.fromEntries(body.clusters.map((c: any) => [c.name, endpoint.url]));
  const config = body.http_filters[0].typed_config.config;
  const host = await Host.load({ profile: "envoy", allowOnHeadersStopIteration: config.allow_on_headers_stop_iteration, routes, clusters,
    routeTimeoutMs: 900_000 });
  const root = configure(host, config.configuration.value);
  const r = await host.request(root, { method: "POST", path: "/aws/orders?x=1", body: "{}", headers: { "content-length": "2" } });
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(json(r).path, "/base/orders");
  assert.ok(endpoint.last.signed);
  assert.equal(endpoint.last.headers.find(([k]) => k === "x-envoy-expected-rq-timeout-ms")?.[1], "900000");
});

test("render apisix, mode proxy: the route's upstream is the function host:443 over https, pass_host pass; notes say why", () => {
  const r = run(["render", "apisix", file(URL_PLUGIN), "--uri", "/aws/*"]);
  assert.equal(r.code, 0, r.stderr);
  const route = JSON.parse(r.stdout);
  assert.deepEqual(route.upstream, { type: "roundrobin", scheme: "https", pass_host: "pass", nodes: { [`${FUNCTION_URL_HOST}:443`]: 1 },
    timeout: { connect: 6, send: 60, read: 900 } });
  assert.match(r.stderr, /the filter sets \$upstream_uri and \$upstream_host and signs/);
  assert.match(r.stderr, /http_request_phase "access"/);
  assert.equal(JSON.parse(run(["render", "apisix", file({ ...URL_PLUGIN, mode: "callout" }), "--uri", "/aws/*"]).stdout).upstream, undefined);
});

test("render apisix refuses an ARN in proxy mode, as APISIX would", () => {
  const r = run(["render", "apisix", file(ARN_PLUGIN), "--uri", "/aws/*"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /"proxy" with a Lambda function ARN replaces the request body/);
});

test("render apisix's proxy route, run as rendered: nginx sends the signed Host and target to the route's node", async () => {
  const route = JSON.parse(run(["render", "apisix", file(URL_PLUGIN), "--uri", "/aws/*"]).stdout);
  const node = Object.keys(route.upstream.nodes)[0];
  const resolved: string[] = [];
  const host = await Host.load({ profile: "apisix",
    upstream: { scheme: route.upstream.scheme, node, passHost: route.upstream.pass_host, timeoutMs: route.upstream.timeout.read * 1000 },
    resolve: (authority) => { resolved.push(authority); return endpoint.url; } });
  const root = configure(host, route.plugins["aws-lambda-wasm"].conf);
  const r = await host.request(root, { path: "/aws/x?y=1", authority: "gateway.example" });
  assert.equal(r.status, 200, r.body.toString());
  assert.deepEqual(resolved, [`${FUNCTION_URL_HOST}:443`]);
  assert.equal(endpoint.last.url, "/base/x?y=1");
  assert.deepEqual(endpoint.last.headers[0], ["host", FUNCTION_URL_HOST]);
  assert.equal(r.proxied?.request?.servername, FUNCTION_URL_HOST);
  assert.ok(endpoint.last.signed);
});
