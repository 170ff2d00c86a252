// render envoy / render apisix for credentials that rotate: the clusters of the credential endpoints
// (plain HTTP to instance metadata and the link-local container hosts, TLS with SNI to STS), named as the
// filter's *_upstream, the VM environment variables each source reads; and, run in the emulator with
// exactly the rendered clusters, every callout the filter makes reaches a cluster that exists.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { checkEnvoy } from "../cli/envoy-shape.mjs";
import { credentialEndpoints, envoyClusters } from "../cli/render-envoy.mjs";
import { Host } from "../emulator/index.ts";
import { CredentialRig, ROLE_ARN } from "./support/credential-rig.ts";
import { runCli } from "./support/cli-run.ts";

const seedUri = "https://x9w6z07gb9.execute-api.eu-west-1.amazonaws.com/default/test-apisix";
const dir = mkdtempSync(join(tmpdir(), "aws-lambda-render-credentials-"));
let files = 0;
let rig: CredentialRig;
before(async () => { rig = await CredentialRig.start(); });
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await rig.close();
});

const run = runCli;

function render(plugin: object, ...extra: string[]) {
  const file = join(dir, `plugin-${files++}.json`);
  writeFileSync(file, JSON.stringify(plugin));
  const r = run(["render", "envoy", file, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  const body = YAML.parse(r.stdout);
  for (const cluster of body.clusters) assert.deepEqual(checkEnvoy(cluster, "Cluster"), [], cluster.name);
  return { ...r, body, vm: body.http_filters[0].typed_config.config.vm_config, byName: new Map(body.clusters.map((c: any) => [c.name, c])) };
}

const address = (cluster: any) => cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;

test("instance credentials: a plain-HTTP static cluster for 169.254.169.254, the IMDS variables from Envoy's environment", () => {
  const { body, byName, vm, stdout } = render({ function_uri: seedUri, authorization: { iam: { credentials: "instance" } } });
  assert.deepEqual(body.clusters.map((c: any) => c.name), ["x9w6z07gb9.execute-api.eu-west-1.amazonaws.com", "169.254.169.254"]);
  const imds = byName.get("169.254.169.254") as any;
  assert.deepEqual([imds.type, address(imds), imds.transport_socket], ["STATIC", { address: "169.254.169.254", port_value: 80 }, undefined]);
  assert.equal(imds.connect_timeout, "3s");
  assert.deepEqual(vm.environment_variables.host_env_keys, ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"]);
  assert.match(vm.vm_id, /^aws-lambda-env-[0-9a-f]{8}$/);
  assert.match(stdout, /^# cluster "169\.254\.169\.254": instance metadata, plain HTTP$/m);
  assert.doesNotMatch(stdout, /Start Envoy with AWS_ACCESS_KEY_ID/);
  // With imds_endpoint and imds_upstream set, nothing comes from the environment.
  const named = render({ function_uri: seedUri, authorization: { iam: { credentials: "instance", imds_endpoint: "http://[fd00:ec2::254]",
    imds_upstream: "imds" } } });
  assert.deepEqual(address(named.byName.get("imds")), { address: "fd00:ec2::254", port_value: 80 });
  assert.equal(named.vm.environment_variables, undefined);
  assert.equal(named.vm.vm_id, "aws-lambda");
});

test("AssumeRole: a TLS cluster for the regional STS endpoint with SNI and verification, named as sts_upstream", () => {
  const { byName } = render({ function_uri: seedUri, authorization: { iam: { credentials: "instance", assume_role: { role_arn: ROLE_ARN } } } });
  const sts = byName.get("sts.eu-west-1.amazonaws.com") as any;
  assert.deepEqual([sts.type, address(sts)], ["LOGICAL_DNS", { address: "sts.eu-west-1.amazonaws.com", port_value: 443 }]);
  const tls = sts.transport_socket.typed_config;
  assert.equal(tls.sni, "sts.eu-west-1.amazonaws.com");
  assert.deepEqual(tls.common_tls_context.validation_context.match_typed_subject_alt_names,
    [{ san_type: "DNS", matcher: { exact: "sts.eu-west-1.amazonaws.com" } }]);
  const custom = render({ function_uri: seedUri, authorization: { iam: { accesskey: "AKID", secretkey: "s", assume_role: { role_arn: ROLE_ARN,
    sts_endpoint: "https://sts.amazonaws.com", sts_upstream: "sts_global" } } } }, "--trusted-ca", "/etc/pki/ca.pem");
  const global = custom.byName.get("sts_global") as any;
  assert.equal(global.transport_socket.typed_config.sni, "sts.amazonaws.com");
  assert.equal(global.transport_socket.typed_config.common_tls_context.validation_context.trusted_ca.filename, "/etc/pki/ca.pem");
  const china = credentialEndpoints({ function_uri: "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
    authorization: { iam: { credentials: "instance", assume_role: { role_arn: "arn:aws-cn:iam::123456789012:role/r" } } } });
  assert.deepEqual(china.map((e: any) => e.name), ["169.254.169.254", "sts.cn-north-1.amazonaws.com.cn"]);
});

test("container credentials: the configured endpoint, or both link-local hosts when the environment names it", () => {
  const configured = render({ function_uri: seedUri, authorization: { iam: { credentials: "container", container_endpoint: "https://creds.internal:8443/v1" } } });
  assert.deepEqual([...configured.byName.keys()].slice(1), ["creds.internal:8443"]);
  assert.equal((configured.byName.get("creds.internal:8443") as any).transport_socket.typed_config.sni, "creds.internal");
  assert.deepEqual(configured.vm.environment_variables.host_env_keys, ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]);
  const fromEnv = render({ function_uri: seedUri, authorization: { iam: { credentials: "container" } } });
  assert.deepEqual([...fromEnv.byName.keys()].slice(1), ["169.254.170.2", "169.254.170.23"]);
  assert.deepEqual(fromEnv.vm.environment_variables.host_env_keys,
    ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN"]);
});

test("the chain may use any source: every endpoint's cluster and every variable; static keys none", () => {
  const chain = render({ function_uri: seedUri, authorization: { iam: {} } });
  assert.deepEqual([...chain.byName.keys()].slice(1), ["169.254.170.2", "169.254.170.23", "169.254.169.254"]);
  assert.match(chain.stdout, /Start Envoy with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set/);
  const keys = render({ function_uri: seedUri, authorization: { iam: { accesskey: "AKID", secretkey: "s" } } }, "--secrets", "inline");
  assert.equal(keys.body.clusters.length, 1);
  assert.equal(keys.vm.environment_variables, undefined);
});

test("render apisix passes the variables the source reads through nginx_config.envs", () => {
  const file = join(dir, `plugin-${files++}.json`);
  writeFileSync(file, JSON.stringify({ function_uri: seedUri, authorization: { iam: { credentials: "instance" } } }));
  const r = run(["render", "apisix", file, "--uri", "/aws"]);
  assert.equal(r.code, 0, r.stderr);
  const entry = YAML.parse(r.stderr.slice(r.stderr.indexOf("\nwasm:") + 1));
  assert.deepEqual(entry.nginx_config, { envs: ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"] });
});

test("run with exactly the rendered clusters, every callout (instance metadata, STS, the function) reaches one", async () => {
  const plugin = { function_uri: `${rig.lambda.url}/fn`, authorization: { iam: { credentials: "instance", imds_endpoint: rig.imds.url,
    aws_region: "us-east-1", service: "execute-api", assume_role: { role_arn: ROLE_ARN, sts_endpoint: rig.sts.url } } } };
  const clusters = envoyClusters(plugin);
  assert.deepEqual(clusters.map((c: any) => c.name), [rig.lambda.authority, rig.imds.authority, rig.sts.authority]);
  const host = await Host.load({ profile: "envoy", callouts: "http", now: rig.clock.now,
    clusters: Object.fromEntries(clusters.map((c: any) => [c.name, `http://${address(c).address}:${address(c).port_value}`])) });
  const { rootId, accepted } = host.configure(plugin);
  assert.ok(accepted);
  const reply = await host.request(rootId, { path: "/" });
  assert.equal(reply.status, 200, reply.body.toString());
  assert.deepEqual(new Set(host.getCallouts().map((c) => c.upstream)), new Set(clusters.map((c: any) => c.name)));
});
