// examples/istio and examples/envoy-gateway: every YAML parses and has the shapes of the CRDs it uses
// (support/k8s-shape.ts); every embedded plugin config passes the CLI's validate with the variables its
// VM is given; the callout target names the cluster the platform builds; the body patches set
// allow_on_headers_stop_iteration on exactly the filter the CRD creates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { checkEnvoy } from "../cli/envoy-shape.mjs";
import { AWS_ENV_KEYS, ROOT_ID, TYPES } from "../cli/render-envoy.mjs";
import { checkResource } from "./support/k8s-shape.ts";
import { runCli } from "./support/cli-run.ts";

const examples = fileURLToPath(new URL("../examples/", import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "aws-lambda-k8s-"));
test.after(() => rmSync(temp, { recursive: true, force: true }));

/** Every document of every YAML file in the folder, with its file name. */
function resources(folder: string): { file: string; doc: any }[] {
  return readdirSync(join(examples, folder)).filter((f) => f.endsWith(".yaml")).sort().flatMap((file) =>
    YAML.parseAllDocuments(readFileSync(join(examples, folder, file), "utf8")).map((d) => {
      assert.deepEqual(d.errors, [], file);
      return { file, doc: d.toJS() };
    }));
}

const find = (all: { doc: any }[], kind: string, name?: string) => {
  const found = all.filter(({ doc }) => doc.kind === kind && (name === undefined || doc.metadata.name === name));
  assert.equal(found.length, 1, `one ${kind} ${name ?? ""}`);
  return found[0].doc;
};

/** Runs `aws-lambda-wasm validate --env` on a plugin config with only `envKeys` set (placeholder values). */
function validate(plugin: unknown, envKeys: string[]): { code: number; stdout: string; stderr: string; upstream?: string } {
  const file = join(temp, `plugin-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof plugin === "string" ? plugin : JSON.stringify(plugin));
  const out = runCli(["validate", file, "--env"], Object.fromEntries(envKeys.map((k) => [k, `placeholder-${k}`])));
  return { ...out, upstream: /upstream "([^"]+)"/.exec(out.stdout)?.[1] };
}

const istio = resources("istio");
const eg = resources("envoy-gateway");

test("every resource has its CRD's shape (apiVersion, kind, name, spec fields)", () => {
  for (const { file, doc } of [...istio, ...eg]) assert.deepEqual(checkResource(doc), [], file);
  assert.deepEqual([...new Set(istio.map((r) => r.doc.kind))].sort(),
    ["ConfigMap", "DestinationRule", "EnvoyFilter", "Gateway", "HTTPRoute", "ServiceEntry", "WasmPlugin"]);
  assert.deepEqual([...new Set(eg.map((r) => r.doc.kind))].sort(),
    ["Backend", "EnvoyExtensionPolicy", "EnvoyPatchPolicy", "EnvoyProxy", "Gateway", "GatewayClass", "HTTPRoute"]);
});

test("the shape check catches a misspelled field, a bad enum and a missing required field", () => {
  const plugin = structuredClone(find(istio, "WasmPlugin"));
  plugin.spec.failStrategy = "FAIL_CLOSED";
  plugin.spec.vmconfig = plugin.spec.vmConfig;
  delete plugin.spec.url;
  const errors = checkResource(plugin).join("\n");
  assert.match(errors, /"FAIL_CLOSED" is not one of FAIL_CLOSE\|FAIL_OPEN\|FAIL_RELOAD/);
  assert.match(errors, /unknown field "vmconfig" in WasmPlugin/);
  assert.match(errors, /missing "url"/);
});

// ---- Istio

test("Istio WasmPlugin: the seed IAM config passes validate with exactly the variables vmConfig.env passes", () => {
  const { spec } = find(istio, "WasmPlugin");
  const hostKeys = spec.vmConfig.env.filter((e: any) => e.valueFrom === "HOST").map((e: any) => e.name);
  assert.deepEqual(hostKeys, AWS_ENV_KEYS);
  const ok = validate(spec.pluginConfig, hostKeys);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /auth iam \([^)]*credentials from environment/);
  assert.equal(validate(spec.pluginConfig, []).code, 1, "refused without the variables");
});

test("Istio WasmPlugin: OCI url, root id, fail closed, after authn/authz, on the aws-lambda gateway", () => {
  const { spec } = find(istio, "WasmPlugin");
  assert.match(spec.url, /^oci:\/\//);
  assert.equal(spec.pluginName, ROOT_ID);
  assert.equal(spec.failStrategy, "FAIL_CLOSE");
  assert.equal(spec.phase, "STATS");
  assert.equal(spec.type, "HTTP");
  const gateway = find(istio, "Gateway");
  assert.deepEqual(spec.selector.matchLabels, { "gateway.networking.k8s.io/gateway-name": gateway.metadata.name });
  assert.equal(gateway.spec.gatewayClassName, "istio");
});

test("Istio: the filter's upstream is the outbound cluster of the ServiceEntry, with TLS originated to the function", () => {
  const { spec } = find(istio, "WasmPlugin");
  const upstream = validate(spec.pluginConfig, AWS_ENV_KEYS).upstream;
  const entry = find(istio, "ServiceEntry").spec;
  const [host] = entry.hosts;
  assert.equal(upstream, `outbound|${entry.ports[0].number}||${host}`);
  assert.equal(new URL(spec.pluginConfig.function_uri).host, host);
  assert.equal(entry.ports[0].targetPort, 443);
  assert.equal(entry.resolution, "DNS");
  const rule = find(istio, "DestinationRule").spec;
  assert.equal(rule.host, host);
  assert.deepEqual(rule.trafficPolicy.portLevelSettings, [{ port: { number: entry.ports[0].number }, tls: { mode: "SIMPLE", sni: host } }]);
});

test("Istio: the gateway's proxy gets the credentials from a Secret through the Gateway's parametersRef", () => {
  const gateway = find(istio, "Gateway");
  const ref = gateway.spec.infrastructure.parametersRef;
  assert.deepEqual({ group: ref.group, kind: ref.kind }, { group: "", kind: "ConfigMap" });
  const overlay = YAML.parse(find(istio, "ConfigMap", ref.name).data.deployment);
  const [proxy] = overlay.spec.template.spec.containers;
  assert.equal(proxy.name, "istio-proxy");
  assert.deepEqual(proxy.env.map((e: any) => e.name), AWS_ENV_KEYS);
  for (const e of proxy.env) assert.equal(e.valueFrom.secretKeyRef.key, e.name);
  assert.equal(proxy.env.find((e: any) => e.name === "AWS_SESSION_TOKEN").valueFrom.secretKeyRef.optional, true);
  const route = find(istio, "HTTPRoute");
  assert.deepEqual(route.spec.parentRefs, [{ name: gateway.metadata.name }]);
  assert.deepEqual(route.spec.rules[0].matches[0].path, { type: "PathPrefix", value: spec(istio).pluginConfig.path_prefix });
  assert.equal(route.spec.rules[0].backendRefs, undefined, "nothing forwarded around the filter");
});

function spec(all: { doc: any }[]) {
  return find(all, "WasmPlugin").spec;
}

test("Istio EnvoyFilter: an ECDS Wasm config with allow_on_headers_stop_iteration, fetched by the filter it inserts", () => {
  const filter = find(istio, "EnvoyFilter").spec;
  const [extension, httpFilter] = filter.configPatches;
  assert.equal(extension.applyTo, "EXTENSION_CONFIG");
  assert.equal(extension.patch.operation, "ADD", "istiod only ADDs extension configs");
  const ecds = extension.patch.value;
  assert.deepEqual(checkEnvoy({ "@type": TYPES.extension, ...ecds }, "Any"), []);
  const config = ecds.typed_config.config;
  assert.equal(config.allow_on_headers_stop_iteration, true);
  assert.equal(config.failure_policy, "FAIL_CLOSED");
  assert.equal(config.root_id, ROOT_ID);
  assert.deepEqual(config.vm_config.environment_variables.host_env_keys, AWS_ENV_KEYS);
  assert.equal(config.vm_config.code.remote.http_uri.uri, spec(istio).url);
  assert.deepEqual(JSON.parse(config.configuration.value), spec(istio).pluginConfig, "the same scenario as the WasmPlugin");
  assert.equal(validate(config.configuration.value, config.vm_config.environment_variables.host_env_keys).code, 0);
  assert.equal(httpFilter.applyTo, "HTTP_FILTER");
  assert.equal(httpFilter.patch.operation, "INSERT_BEFORE");
  assert.equal(httpFilter.match.listener.filterChain.filter.subFilter.name, "envoy.filters.http.router");
  assert.deepEqual(checkEnvoy(httpFilter.patch.value, "HttpFilter"), []);
  assert.equal(httpFilter.patch.value.name, ecds.name);
  assert.deepEqual(httpFilter.patch.value.config_discovery.type_urls, [TYPES.wasm]);
  assert.deepEqual(filter.workloadSelector.labels, spec(istio).selector.matchLabels);
});

// ---- Envoy Gateway

const policy = () => find(eg, "EnvoyExtensionPolicy");

test("Envoy Gateway EnvoyExtensionPolicy: the seed IAM config passes validate with exactly env.hostKeys", () => {
  const [wasm] = policy().spec.wasm;
  assert.deepEqual(wasm.env.hostKeys, AWS_ENV_KEYS);
  const ok = validate(wasm.config, wasm.env.hostKeys);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(validate(wasm.config, []).code, 1);
  assert.deepEqual({ ...wasm.config, upstream: "" }, { ...spec(istio).pluginConfig, upstream: "" }, "the Istio example's scenario");
});

test("Envoy Gateway: image code without a scheme, root id, fail closed, attached to the route", () => {
  const [wasm] = policy().spec.wasm;
  assert.equal(wasm.code.type, "Image");
  assert.doesNotMatch(wasm.code.image.url, /^[a-z]+:\/\//, "registry/image:tag, no oci://");
  assert.equal(wasm.rootID, ROOT_ID);
  assert.equal(wasm.failOpen, false);
  assert.deepEqual(policy().spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: find(eg, "HTTPRoute").metadata.name }]);
});

test("Envoy Gateway: the upstream is the cluster of the route's rule 0, whose Backend is the function over TLS", () => {
  const [wasm] = policy().spec.wasm;
  const route = find(eg, "HTTPRoute");
  // internal/gatewayapi/helpers.go irRouteDestinationName: <kind>/<namespace>/<name>/rule/<index>
  assert.equal(validate(wasm.config, AWS_ENV_KEYS).upstream, `httproute/${route.metadata.namespace}/${route.metadata.name}/rule/0`);
  const [ref] = route.spec.rules[0].backendRefs;
  const backend = find(eg, "Backend", ref.name);
  assert.equal(ref.kind, "Backend");
  const host = new URL(wasm.config.function_uri).host;
  assert.deepEqual(backend.spec.endpoints, [{ fqdn: { hostname: host, port: 443 } }]);
  assert.equal(ref.port, 443);
  assert.deepEqual(backend.spec.tls, { wellKnownCACertificates: "System", sni: host });
  assert.equal(route.spec.rules[0].matches[0].path.value, wasm.config.path_prefix);
});

test("Envoy Gateway: Envoy's environment gets the credentials from a Secret through the Gateway's EnvoyProxy", () => {
  const gateway = find(eg, "Gateway");
  const ref = gateway.spec.infrastructure.parametersRef;
  assert.deepEqual({ group: ref.group, kind: ref.kind }, { group: "gateway.envoyproxy.io", kind: "EnvoyProxy" });
  const env = find(eg, "EnvoyProxy", ref.name).spec.provider.kubernetes.envoyDeployment.container.env;
  assert.deepEqual(env.map((e: any) => e.name), policy().spec.wasm[0].env.hostKeys);
  for (const e of env) assert.equal(e.valueFrom.secretKeyRef.key, e.name);
  assert.equal(find(eg, "GatewayClass", gateway.spec.gatewayClassName).spec.controllerName, "gateway.envoyproxy.io/gatewayclass-controller");
});

test("Envoy Gateway EnvoyPatchPolicy: adds allow_on_headers_stop_iteration to the policy's filter on the gateway's listener", () => {
  const patch = find(eg, "EnvoyPatchPolicy");
  const gateway = find(eg, "Gateway");
  assert.deepEqual(patch.spec.targetRef, { group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.metadata.name });
  assert.equal(patch.metadata.namespace, gateway.metadata.namespace, "same namespace as the Gateway");
  const [jsonPatch] = patch.spec.jsonPatches;
  assert.equal(jsonPatch.type, "type.googleapis.com/envoy.config.listener.v3.Listener");
  // internal/gatewayapi/helpers.go irListenerName: <namespace>/<gateway>/<listener>
  assert.equal(jsonPatch.name, `${gateway.metadata.namespace}/${gateway.metadata.name}/${gateway.spec.listeners[0].name}`);
  // envoyextensionpolicy.go irConfigNameForWasm + translator/utils.go perRouteFilterName
  const p = policy();
  const filterName = `envoy.filters.http.wasm/envoyextensionpolicy/${p.metadata.namespace}/${p.metadata.name}/wasm/0`;
  assert.equal(jsonPatch.operation.jsonPath, `..http_filters[?(@.name=='${filterName}')].typed_config.config`);
  assert.deepEqual({ op: jsonPatch.operation.op, path: jsonPatch.operation.path, value: jsonPatch.operation.value },
    { op: "add", path: "/allow_on_headers_stop_iteration", value: true });
});

test("each example folder has a README that says what to apply and which versions carry bodies", () => {
  for (const [folder, files] of [["istio", ["gateway.yaml", "wasmplugin.yaml", "envoyfilter.yaml"]],
    ["envoy-gateway", ["gateway.yaml", "envoyextensionpolicy.yaml", "envoypatchpolicy.yaml"]]] as const) {
    const readme = readFileSync(join(examples, folder, "README.md"), "utf8");
    for (const file of files) assert.match(readme, new RegExp(`kubectl apply -f examples/${folder}/${file.replace(".", "\\.")}`), `${folder}: ${file}`);
    assert.match(readme, /allow_on_headers_stop_iteration/);
    assert.match(readme, /kubectl create secret generic aws-lambda-credentials/);
  }
});
