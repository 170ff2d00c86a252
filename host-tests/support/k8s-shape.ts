// Structural check of the Kubernetes resources in examples/istio and examples/envoy-gateway, for the
// fields they use: apiVersion/kind, metadata.name, and spec field names, nesting, scalar types, enums
// and required fields. Taken from the CRDs: Istio's manifests/charts/base/files/crd-all.gen.yaml
// (istio/istio 86c9f01), Envoy Gateway's api/v1alpha1 types (envoyproxy/gateway d32f282) and the
// Gateway API v1 types. No cluster installs on this machine, so this stands in for `kubectl apply
// --dry-run=server`; fields outside the subset are reported as unknown.

type Shape = { fields: Record<string, string>; required?: string[]; free?: boolean };

const SHAPES: Record<string, Shape> = {
  // Istio extensions.istio.io/v1alpha1
  WasmPlugin: {
    fields: {
      selector: "Selector", targetRefs: "[PolicyRef]", url: "string", sha256: "sha256hex", imagePullPolicy: "enum:UNSPECIFIED_POLICY|IfNotPresent|Always",
      imagePullSecret: "string", pluginName: "string", phase: "enum:UNSPECIFIED_PHASE|AUTHN|AUTHZ|STATS", priority: "int",
      failStrategy: "enum:FAIL_CLOSE|FAIL_OPEN|FAIL_RELOAD", pluginConfig: "object", vmConfig: "WasmVmConfig", type: "enum:UNSPECIFIED_PLUGIN_TYPE|HTTP|NETWORK",
    },
    required: ["url"],
  },
  Selector: { fields: { matchLabels: "{string}" } },
  WasmVmConfig: { fields: { env: "[WasmEnvVar]" } },
  WasmEnvVar: { fields: { name: "string", value: "string", valueFrom: "enum:INLINE|HOST" }, required: ["name"] },
  // Istio networking.istio.io
  EnvoyFilter: { fields: { workloadSelector: "WorkloadSelector", configPatches: "[ConfigPatch]", priority: "int" } },
  WorkloadSelector: { fields: { labels: "{string}" } },
  ConfigPatch: {
    fields: { applyTo: "enum:EXTENSION_CONFIG|HTTP_FILTER|CLUSTER|LISTENER|NETWORK_FILTER", match: "PatchMatch", patch: "Patch" },
    required: ["applyTo", "patch"],
  },
  PatchMatch: { fields: { context: "enum:ANY|SIDECAR_INBOUND|SIDECAR_OUTBOUND|GATEWAY", listener: "ListenerMatch" } },
  ListenerMatch: { fields: { filterChain: "FilterChainMatch", portNumber: "int" } },
  FilterChainMatch: { fields: { filter: "FilterMatch" } },
  FilterMatch: { fields: { name: "string", subFilter: "SubFilterMatch" } },
  SubFilterMatch: { fields: { name: "string" } },
  Patch: { fields: { operation: "enum:ADD|MERGE|REMOVE|INSERT_BEFORE|INSERT_AFTER|INSERT_FIRST|REPLACE", value: "object" }, required: ["operation"] },
  ServiceEntry: {
    fields: { hosts: "[string]", location: "enum:MESH_EXTERNAL|MESH_INTERNAL", resolution: "enum:NONE|STATIC|DNS|DNS_ROUND_ROBIN", ports: "[ServicePort]" },
    required: ["hosts"],
  },
  ServicePort: { fields: { number: "int", name: "string", protocol: "string", targetPort: "int" }, required: ["number", "name"] },
  DestinationRule: { fields: { host: "string", trafficPolicy: "TrafficPolicy" }, required: ["host"] },
  TrafficPolicy: { fields: { tls: "ClientTLS", portLevelSettings: "[PortTrafficPolicy]" } },
  PortTrafficPolicy: { fields: { port: "PortSelector", tls: "ClientTLS" } },
  PortSelector: { fields: { number: "int" } },
  ClientTLS: { fields: { mode: "enum:DISABLE|SIMPLE|MUTUAL|ISTIO_MUTUAL", sni: "string", credentialName: "string" } },
  // Gateway API gateway.networking.k8s.io/v1
  GatewayClass: { fields: { controllerName: "string" }, required: ["controllerName"] },
  Gateway: { fields: { gatewayClassName: "string", listeners: "[Listener]", infrastructure: "Infrastructure" }, required: ["gatewayClassName", "listeners"] },
  Infrastructure: { fields: { parametersRef: "ParametersRef", labels: "{string}", annotations: "{string}" } },
  ParametersRef: { fields: { group: "group", kind: "string", name: "string" }, required: ["group", "kind", "name"] },
  Listener: { fields: { name: "string", port: "int", protocol: "string", hostname: "string" }, required: ["name", "port", "protocol"] },
  HTTPRoute: { fields: { parentRefs: "[ParentRef]", hostnames: "[string]", rules: "[HTTPRouteRule]" } },
  ParentRef: { fields: { name: "string", namespace: "string", sectionName: "string", group: "string", kind: "string" }, required: ["name"] },
  HTTPRouteRule: { fields: { matches: "[HTTPRouteMatch]", backendRefs: "[BackendRef]" } },
  HTTPRouteMatch: { fields: { path: "PathMatch" } },
  PathMatch: { fields: { type: "enum:Exact|PathPrefix|RegularExpression", value: "string" } },
  BackendRef: { fields: { group: "string", kind: "string", name: "string", port: "int" }, required: ["name"] },
  PolicyRef: { fields: { group: "string", kind: "string", name: "string" }, required: ["kind", "name"] },
  // Envoy Gateway gateway.envoyproxy.io/v1alpha1
  EnvoyProxy: { fields: { provider: "EnvoyProxyProvider" } },
  EnvoyProxyProvider: { fields: { type: "enum:Kubernetes|Custom", kubernetes: "KubernetesProvider" }, required: ["type"] },
  KubernetesProvider: { fields: { envoyDeployment: "EnvoyDeployment" } },
  EnvoyDeployment: { fields: { container: "Container", replicas: "int" } },
  Container: { fields: { env: "[EnvVar]", image: "string" } },
  EnvVar: { fields: { name: "string", value: "string", valueFrom: "EnvVarSource" }, required: ["name"] },
  EnvVarSource: { fields: { secretKeyRef: "SecretKeyRef" } },
  SecretKeyRef: { fields: { name: "string", key: "string", optional: "bool" }, required: ["key"] },
  Backend: { fields: { type: "enum:Endpoints|DynamicResolver", endpoints: "[BackendEndpoint]", tls: "BackendTLS" } },
  BackendEndpoint: { fields: { fqdn: "FQDNEndpoint" } },
  FQDNEndpoint: { fields: { hostname: "string", port: "int" }, required: ["hostname", "port"] },
  BackendTLS: { fields: { wellKnownCACertificates: "enum:System", sni: "string", insecureSkipVerify: "bool" } },
  EnvoyExtensionPolicy: { fields: { targetRefs: "[PolicyRef]", wasm: "[EgWasm]" } },
  EgWasm: {
    fields: { name: "string", rootID: "string", code: "WasmCode", config: "object", failOpen: "bool", env: "EgWasmEnv" },
    required: ["code"],
  },
  WasmCode: { fields: { type: "enum:HTTP|Image", image: "ImageCode", pullPolicy: "enum:IfNotPresent|Always" }, required: ["type"] },
  ImageCode: { fields: { url: "string", sha256: "sha256hex" }, required: ["url"] },
  EgWasmEnv: { fields: { hostKeys: "[string]" } },
  EnvoyPatchPolicy: { fields: { targetRef: "PolicyRef", type: "enum:JSONPatch", jsonPatches: "[JSONPatchConfig]", priority: "int" }, required: ["targetRef", "type"] },
  JSONPatchConfig: { fields: { type: "string", name: "string", operation: "JSONPatchOperation" }, required: ["type", "name", "operation"] },
  JSONPatchOperation: { fields: { op: "enum:add|remove|replace|move|copy|test", path: "string", jsonPath: "string", from: "string", value: "any" }, required: ["op"] },
};

/** apiVersion of each kind as the examples write it; a ConfigMap is checked only for its data. */
export const API_VERSIONS: Record<string, string> = {
  WasmPlugin: "extensions.istio.io/v1alpha1", EnvoyFilter: "networking.istio.io/v1alpha3",
  ServiceEntry: "networking.istio.io/v1", DestinationRule: "networking.istio.io/v1",
  GatewayClass: "gateway.networking.k8s.io/v1", Gateway: "gateway.networking.k8s.io/v1", HTTPRoute: "gateway.networking.k8s.io/v1",
  EnvoyProxy: "gateway.envoyproxy.io/v1alpha1", Backend: "gateway.envoyproxy.io/v1alpha1",
  EnvoyExtensionPolicy: "gateway.envoyproxy.io/v1alpha1", EnvoyPatchPolicy: "gateway.envoyproxy.io/v1alpha1", ConfigMap: "v1",
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function check(value: unknown, type: string, path: string, errors: string[]): void {
  if (type.startsWith("[")) {
    if (!Array.isArray(value)) return void errors.push(`${path}: expected a list`);
    value.forEach((item, i) => check(item, type.slice(1, -1), `${path}[${i}]`, errors));
  } else if (type.startsWith("{")) {
    if (!isObject(value)) return void errors.push(`${path}: expected a map`);
    for (const [k, v] of Object.entries(value)) check(v, type.slice(1, -1), `${path}.${k}`, errors);
  } else if (type.startsWith("enum:")) {
    if (!type.slice(5).split("|").includes(value as string)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${type.slice(5)}`);
  } else if (SHAPES[type]) {
    const shape = SHAPES[type];
    if (!isObject(value)) return void errors.push(`${path}: expected a ${type} object`);
    for (const [k, v] of Object.entries(value)) {
      if (!(k in shape.fields)) errors.push(`${path}: unknown field "${k}" in ${type}`);
      else check(v, shape.fields[k], `${path}.${k}`, errors);
    }
    for (const k of shape.required ?? []) if (!(k in value)) errors.push(`${path}: missing "${k}"`);
  } else {
    const ok: Record<string, () => boolean> = {
      string: () => typeof value === "string" && value.length > 0,
      // An API group; "" is the core group (ConfigMap).
      group: () => typeof value === "string",
      int: () => Number.isInteger(value),
      bool: () => typeof value === "boolean",
      object: () => isObject(value),
      any: () => value !== undefined,
      sha256hex: () => typeof value === "string" && /^[a-f0-9]{64}$/.test(value),
    };
    if (!ok[type]?.()) errors.push(`${path}: expected ${type}, got ${JSON.stringify(value)}`);
  }
}

/** Problems with a resource: wrong apiVersion, no name, or a spec outside its kind's shape. Empty when none. */
export function checkResource(doc: any): string[] {
  const errors: string[] = [];
  const where = `${doc?.kind ?? "?"} ${doc?.metadata?.name ?? "?"}`;
  if (!(doc?.kind in API_VERSIONS)) return [`${where}: kind not checked here`];
  if (doc.apiVersion !== API_VERSIONS[doc.kind]) errors.push(`${where}: apiVersion ${doc.apiVersion}, expected ${API_VERSIONS[doc.kind]}`);
  if (typeof doc.metadata?.name !== "string") errors.push(`${where}: missing metadata.name`);
  if (doc.kind === "ConfigMap") {
    if (!isObject(doc.data)) errors.push(`${where}: missing data`);
  } else {
    check(doc.spec, doc.kind, `${where} spec`, errors);
  }
  return errors;
}
