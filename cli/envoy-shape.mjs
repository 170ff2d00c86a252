// A structural check of Envoy v3 config for the subset the examples and `render envoy` use: field names,
// nesting, scalar types, oneofs and the type URLs inside google.protobuf.Any, as in envoyproxy/envoy's
// api/ protos. No Envoy binary installs from this machine's package sources, so this stands in for
// `envoy --mode validate` on the parts we write; fields outside the subset are reported as unknown.

/** Message shapes: field → type. "[T]" repeated, "{T}" map<string,T>, "enum:A|B" enum, "Any" typed. */
const MESSAGES = {
  Bootstrap: { fields: { admin: "Admin", static_resources: "StaticResources" } },
  Admin: { fields: { address: "Address" } },
  StaticResources: { fields: { listeners: "[Listener]", clusters: "[Cluster]" } },
  Address: { fields: { socket_address: "SocketAddress" }, required: ["socket_address"] },
  SocketAddress: { fields: { address: "string", port_value: "uint32" }, required: ["address", "port_value"] },
  Listener: { fields: { name: "string", address: "Address", filter_chains: "[FilterChain]", per_connection_buffer_limit_bytes: "uint32" },
    required: ["address"] },
  FilterChain: { fields: { filters: "[NamedAny]" } },
  NamedAny: { fields: { name: "string", typed_config: "Any" }, required: ["name", "typed_config"] },
  HttpConnectionManager: {
    fields: {
      stat_prefix: "string", codec_type: "enum:AUTO|HTTP1|HTTP2|HTTP3", route_config: "RouteConfiguration",
      http_filters: "[HttpFilter]", access_log: "[NamedAny]",
    },
    required: ["stat_prefix", "route_config", "http_filters"],
  },
  StdoutAccessLog: { fields: {} },
  RouteConfiguration: { fields: { name: "string", virtual_hosts: "[VirtualHost]" } },
  VirtualHost: { fields: { name: "string", domains: "[string]", routes: "[Route]" }, required: ["name", "domains"] },
  Route: {
    fields: { match: "RouteMatch", route: "RouteAction", direct_response: "DirectResponseAction", typed_per_filter_config: "{Any}" },
    required: ["match"],
    oneOf: [["route", "direct_response"]],
  },
  RouteMatch: { fields: { prefix: "string", path: "string" }, oneOf: [["prefix", "path"]] },
  RouteAction: { fields: { cluster: "string", timeout: "duration" }, oneOf: [["cluster"]] },
  DirectResponseAction: { fields: { status: "uint32", body: "DataSource" }, required: ["status"] },
  DataSource: { fields: { filename: "string", inline_string: "string" }, oneOf: [["filename", "inline_string"]] },
  FilterConfig: { fields: { config: "Any", is_optional: "bool", disabled: "bool" } },
  HttpFilter: {
    fields: { name: "string", typed_config: "Any", config_discovery: "ExtensionConfigSource", disabled: "bool", is_optional: "bool" },
    required: ["name"],
    oneOf: [["typed_config", "config_discovery"]],
  },
  ExtensionConfigSource: {
    fields: { config_source: "ConfigSource", default_config: "Any", apply_default_config_without_warming: "bool", type_urls: "[string]" },
    required: ["config_source", "type_urls"],
  },
  ConfigSource: {
    fields: { path_config_source: "PathConfigSource", ads: "AggregatedConfigSource", resource_api_version: "enum:V3", initial_fetch_timeout: "duration" },
    oneOf: [["path_config_source", "ads"]],
  },
  AggregatedConfigSource: { fields: {} },
  PathConfigSource: { fields: { path: "string", watched_directory: "WatchedDirectory" }, required: ["path"] },
  WatchedDirectory: { fields: { path: "string" }, required: ["path"] },
  Router: { fields: {} },
  Wasm: { fields: { config: "PluginConfig" }, required: ["config"] },
  PluginConfig: {
    fields: {
      name: "string", root_id: "string", vm_config: "VmConfig", configuration: "Any",
      failure_policy: "enum:UNSPECIFIED|FAIL_RELOAD|FAIL_CLOSED|FAIL_OPEN", allow_on_headers_stop_iteration: "bool",
    },
    required: ["vm_config"],
  },
  VmConfig: {
    fields: { vm_id: "string", runtime: "string", code: "AsyncDataSource", environment_variables: "EnvironmentVariables", allow_precompiled: "bool" },
    required: ["code"],
  },
  AsyncDataSource: { fields: { local: "DataSource", remote: "RemoteDataSource" }, oneOf: [["local", "remote"]] },
  RemoteDataSource: { fields: { http_uri: "HttpUri", sha256: "string" }, required: ["http_uri", "sha256"] },
  HttpUri: { fields: { uri: "string", cluster: "string", timeout: "duration" }, required: ["uri", "timeout"], oneOf: [["cluster"]] },
  EnvironmentVariables: { fields: { host_env_keys: "[string]", key_values: "{string}" } },
  StringValue: { fields: { value: "string" }, required: ["value"] },
  Cluster: {
    fields: {
      name: "string", type: "enum:STATIC|STRICT_DNS|LOGICAL_DNS|EDS|ORIGINAL_DST", connect_timeout: "duration",
      dns_lookup_family: "enum:AUTO|V4_ONLY|V6_ONLY|V4_PREFERRED|ALL", load_assignment: "ClusterLoadAssignment",
      transport_socket: "NamedAny", typed_extension_protocol_options: "{Any}", circuit_breakers: "CircuitBreakers",
    },
    required: ["name", "load_assignment"],
  },
  CircuitBreakers: { fields: { thresholds: "[Thresholds]" } },
  Thresholds: { fields: { priority: "enum:DEFAULT|HIGH", max_connections: "uint32", max_pending_requests: "uint32" } },
  ClusterLoadAssignment: { fields: { cluster_name: "string", endpoints: "[LocalityLbEndpoints]" }, required: ["cluster_name"] },
  LocalityLbEndpoints: { fields: { lb_endpoints: "[LbEndpoint]" } },
  LbEndpoint: { fields: { endpoint: "Endpoint" } },
  Endpoint: { fields: { address: "Address" } },
  UpstreamTlsContext: { fields: { common_tls_context: "CommonTlsContext", sni: "string" } },
  CommonTlsContext: { fields: { validation_context: "CertificateValidationContext", alpn_protocols: "[string]" } },
  CertificateValidationContext: { fields: { trusted_ca: "DataSource", match_typed_subject_alt_names: "[SubjectAltNameMatcher]" } },
  SubjectAltNameMatcher: {
    fields: { san_type: "enum:SAN_TYPE_UNSPECIFIED|EMAIL|DNS|URI|IP_ADDRESS|OTHER_NAME", matcher: "StringMatcher" },
    required: ["san_type", "matcher"],
  },
  StringMatcher: { fields: { exact: "string", prefix: "string", suffix: "string", ignore_case: "bool" } },
  HttpProtocolOptions: {
    fields: { common_http_protocol_options: "CommonHttpProtocolOptions", explicit_http_config: "ExplicitHttpConfig" },
  },
  CommonHttpProtocolOptions: { fields: { idle_timeout: "duration", max_requests_per_connection: "uint32" } },
  ExplicitHttpConfig: { fields: { http_protocol_options: "Http1ProtocolOptions" }, oneOf: [["http_protocol_options"]] },
  Http1ProtocolOptions: { fields: {} },
  DiscoveryResponse: { fields: { version_info: "string", resources: "[Any]", type_url: "string" }, required: ["resources"] },
  TypedExtensionConfig: { fields: { name: "string", typed_config: "Any" }, required: ["name", "typed_config"] },
};

/** Type URLs accepted inside google.protobuf.Any, and the message each one holds. */
export const ANY_TYPES = {
  "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager": "HttpConnectionManager",
  "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog": "StdoutAccessLog",
  "envoy.extensions.filters.http.wasm.v3.Wasm": "Wasm",
  "envoy.extensions.filters.http.router.v3.Router": "Router",
  "envoy.config.route.v3.FilterConfig": "FilterConfig",
  "google.protobuf.StringValue": "StringValue",
  "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext": "UpstreamTlsContext",
  "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": "HttpProtocolOptions",
  "envoy.config.core.v3.TypedExtensionConfig": "TypedExtensionConfig",
};

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

function checkScalar(value, type, path, errors) {
  const ok = {
    string: () => typeof value === "string",
    bool: () => typeof value === "boolean",
    uint32: () => Number.isInteger(value) && value >= 0 && value <= 0xffffffff,
    // JSON mapping of google.protobuf.Duration: decimal seconds with an "s" suffix.
    duration: () => typeof value === "string" && /^\d+(\.\d{1,9})?s$/.test(value),
  }[type];
  if (!ok()) errors.push(`${path}: expected ${type}, got ${JSON.stringify(value)}`);
}

function checkType(value, type, path, errors) {
  if (type.startsWith("[")) {
    if (!Array.isArray(value)) return errors.push(`${path}: expected a list`);
    value.forEach((item, i) => checkType(item, type.slice(1, -1), `${path}[${i}]`, errors));
  } else if (type.startsWith("{")) {
    if (!isObject(value)) return errors.push(`${path}: expected a map`);
    for (const [key, item] of Object.entries(value)) checkType(item, type.slice(1, -1), `${path}.${key}`, errors);
  } else if (type.startsWith("enum:")) {
    if (!type.slice(5).split("|").includes(value)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${type.slice(5)}`);
  } else if (type === "Any") {
    checkAny(value, path, errors);
  } else if (MESSAGES[type]) {
    checkMessage(value, type, path, errors);
  } else {
    checkScalar(value, type, path, errors);
  }
}

function checkAny(value, path, errors) {
  if (!isObject(value)) return errors.push(`${path}: expected a typed config object`);
  const url = value["@type"];
  const prefix = "type.googleapis.com/";
  const message = typeof url === "string" && url.startsWith(prefix) ? ANY_TYPES[url.slice(prefix.length)] : undefined;
  if (!message) return errors.push(`${path}: unknown "@type" ${JSON.stringify(url)}`);
  const { "@type": _, ...rest } = value;
  checkMessage(rest, message, path, errors);
}

function checkMessage(value, name, path, errors) {
  const spec = MESSAGES[name];
  if (!isObject(value)) return errors.push(`${path}: expected a ${name} object`);
  for (const [key, item] of Object.entries(value)) {
    if (!(key in spec.fields)) errors.push(`${path}: unknown field "${key}" in ${name}`);
    else checkType(item, spec.fields[key], path ? `${path}.${key}` : key, errors);
  }
  for (const key of spec.required ?? []) {
    if (!(key in value)) errors.push(`${path || name}: missing "${key}"`);
  }
  for (const group of spec.oneOf ?? []) {
    const set = group.filter((key) => key in value);
    if (set.length !== 1) errors.push(`${path || name}: needs exactly one of ${group.join(", ")}, has ${set.length}`);
  }
}

/** Problems found checking `value` as Envoy message `type` (e.g. "Bootstrap", "Cluster"); empty when none. */
export function checkEnvoy(value, type = "Bootstrap") {
  const errors = [];
  checkType(value, type, "", errors);
  return errors;
}
