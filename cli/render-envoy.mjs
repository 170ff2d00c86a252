// The one place that maps an aws-lambda plugin config onto Envoy v3 config: the wasm HTTP filter that
// carries the config, and the cluster its callouts go to. On Envoy the filter enforces `timeout` (the
// callout timeout); TLS, verification and connection reuse belong to the cluster, so `ssl_verify` and
// `keepalive*` become cluster settings here. The examples' tests compare the example files with this.
// Input: a plugin config the filter has accepted (run validate first). Options: `wasmPath`,
// `envoyVersion` (fields newer than it are left out, envoy-version.mjs), `trustedCa`.
import { atLeast, BODY_AFTER_PAUSE_SINCE, DEFAULT_ENVOY_VERSION, FAILURE_POLICY_SINCE, parseEnvoyVersion } from "./envoy-version.mjs";

import { defaultOf } from "../schema/fields.mjs";

/** HttpFilter name, also the ECDS resource name and the typed_per_filter_config key. */
export const FILTER_NAME = "aws-lambda";
/** The filter's root context id (PluginConfig.root_id; WasmPlugin pluginName; EnvoyExtensionPolicy rootID). */
export const ROOT_ID = "aws_lambda";
/** Debian/Ubuntu's system trust store, what APISIX verifies against; the default --trusted-ca. */
export const SYSTEM_TRUST_STORE = "/etc/ssl/certs/ca-certificates.crt";
/** Credentials the filter reads from the VM environment when `iam` has no keys. */
export const AWS_ENV_KEYS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];
/** Where Envoy loads the filter from unless told otherwise. */
export const DEFAULT_WASM_PATH = "/etc/envoy/aws-lambda.wasm";

const TYPE = "type.googleapis.com/";
export const TYPES = {
  wasm: `${TYPE}envoy.extensions.filters.http.wasm.v3.Wasm`,
  string: `${TYPE}google.protobuf.StringValue`,
  tls: `${TYPE}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
  httpOptions: `${TYPE}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
  extension: `${TYPE}envoy.config.core.v3.TypedExtensionConfig`,
};
const HTTP_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

/** The plugin's own defaults for the fields mapped onto Envoy settings (schema/fields.mjs). */
const DEFAULTS = Object.fromEntries(["timeout", "ssl_verify", "keepalive", "keepalive_pool", "keepalive_timeout"]
  .map((name) => [name, defaultOf(name)]));

/** Milliseconds as a protobuf Duration string ("3s", "0.1s"). */
export function duration(ms) {
  return `${ms / 1000}s`;
}

/** The function endpoint as the filter sees it: scheme, lower-case host, port, and host[:port] as written. */
export function functionEndpoint(plugin) {
  const arn = /^(?:arn:(aws[a-z-]*):lambda:([a-z0-9-]+):)?\d{12}:function:/.exec(plugin.function_uri);
  if (arn) {
    // A Lambda ARN: the filter calls the regional Invoke API over HTTPS.
    const region = arn[2] ?? plugin.authorization?.iam?.aws_region ?? "us-east-1";
    const host = `lambda.${region}.amazonaws.com${arn[1] === "aws-cn" ? ".cn" : ""}`;
    return { scheme: "https", authority: host, host, port: 443, ip: false };
  }
  const match = /^(https?):\/\/([^/?#]*)/i.exec(plugin.function_uri);
  if (!match) throw new Error(`function_uri is not an http(s) URL: ${plugin.function_uri}`);
  const scheme = match[1].toLowerCase();
  const authority = match[2].toLowerCase();
  const portMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(authority);
  const host = portMatch[1];
  const port = portMatch[2] ? Number(portMatch[2]) : scheme === "https" ? 443 : 80;
  const ip = host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host);
  return { scheme, authority, host: host.replace(/^\[|\]$/g, ""), port, ip };
}

/** The callout target: `upstream`, else function_uri's host[:port] (the filter's own default). */
export function upstreamName(plugin) {
  return plugin.upstream ?? functionEndpoint(plugin).authority;
}

/** True when the filter will read AWS credentials from the VM environment. */
export function needsEnvCredentials(plugin) {
  const iam = plugin.authorization?.iam;
  return iam !== undefined && iam.accesskey === undefined && iam.secretkey === undefined && iam.secret_key === undefined;
}

/** envoy.extensions.filters.http.wasm.v3.Wasm carrying the plugin config. */
export function wasmTypedConfig(plugin, { wasmPath = DEFAULT_WASM_PATH, envoyVersion = parseEnvoyVersion(DEFAULT_ENVOY_VERSION) } = {}) {
  const env = needsEnvCredentials(plugin);
  const vmConfig = {
    // Envoy reuses a VM by vm_id, vm configuration and code, not by environment_variables: a VM started
    // without the AWS variables would be reused without them, so the VM that has them gets its own id.
    vm_id: env ? `${FILTER_NAME}-env` : FILTER_NAME,
    runtime: "envoy.wasm.runtime.v8",
    code: { local: { filename: wasmPath } },
  };
  if (env) vmConfig.environment_variables = { host_env_keys: [...AWS_ENV_KEYS] };
  const config = {
    name: FILTER_NAME,
    root_id: ROOT_ID,
    vm_config: vmConfig,
    configuration: { "@type": TYPES.string, value: JSON.stringify(plugin) },
  };
  // Lets the request body reach the filter after it pauses on headers (Envoy 1.35+).
  if (atLeast(envoyVersion, BODY_AFTER_PAUSE_SINCE)) config.allow_on_headers_stop_iteration = true;
  // A VM failure answers 503 instead of bypassing the filter; before 1.33 that is fail_open's default.
  if (atLeast(envoyVersion, FAILURE_POLICY_SINCE)) config.failure_policy = "FAIL_CLOSED";
  return { "@type": TYPES.wasm, config };
}

/** The HttpFilter entry for http_connection_manager.http_filters (before the router). */
export function wasmFilter(plugin, options) {
  return { name: FILTER_NAME, typed_config: wasmTypedConfig(plugin, options) };
}

function tlsTransportSocket(endpoint, sslVerify, trustedCa) {
  const context = {};
  // SNI must be a host name; an IP literal is sent without it.
  if (!endpoint.ip) context.sni = endpoint.host;
  if (sslVerify) {
    context.common_tls_context = {
      validation_context: {
        trusted_ca: { filename: trustedCa },
        match_typed_subject_alt_names: [
          { san_type: endpoint.ip ? "IP_ADDRESS" : "DNS", matcher: { exact: endpoint.host } },
        ],
      },
    };
  }
  return { name: "envoy.transport_sockets.tls", typed_config: { "@type": TYPES.tls, ...context } };
}

/** The cluster named as the filter's upstream: the function host over TLS when https, pooled per `keepalive*`. */
export function lambdaCluster(plugin, { trustedCa = SYSTEM_TRUST_STORE } = {}) {
  const settings = { ...DEFAULTS, ...plugin };
  const endpoint = functionEndpoint(plugin);
  const common = settings.keepalive
    ? { idle_timeout: duration(settings.keepalive_timeout) }
    : { max_requests_per_connection: 1 };
  const cluster = {
    name: upstreamName(plugin),
    type: endpoint.ip ? "STATIC" : "LOGICAL_DNS",
    connect_timeout: duration(settings.timeout),
  };
  if (!endpoint.ip) cluster.dns_lookup_family = "V4_PREFERRED";
  cluster.load_assignment = {
    cluster_name: cluster.name,
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: endpoint.host, port_value: endpoint.port } } } }] }],
  };
  if (endpoint.scheme === "https") cluster.transport_socket = tlsTransportSocket(endpoint, settings.ssl_verify, trustedCa);
  cluster.typed_extension_protocol_options = {
    [HTTP_OPTIONS_KEY]: {
      "@type": TYPES.httpOptions,
      common_http_protocol_options: common,
      explicit_http_config: { http_protocol_options: {} },
    },
  };
  return cluster;
}

/** An ECDS file: a DiscoveryResponse holding the filter as a TypedExtensionConfig named FILTER_NAME. */
export function discoveryResponse(plugin, { version = "1", ...options } = {}) {
  return {
    version_info: version,
    type_url: TYPES.extension,
    resources: [{ "@type": TYPES.extension, name: FILTER_NAME, typed_config: wasmTypedConfig(plugin, options) }],
  };
}

/** One line per setting saying where Envoy enforces it, and what it cannot honour. */
export function mappingNotes(plugin, { trustedCa = SYSTEM_TRUST_STORE } = {}) {
  const s = { ...DEFAULTS, ...plugin };
  const endpoint = functionEndpoint(plugin);
  const notes = [
    `timeout ${s.timeout} ms: the filter's callout timeout; also the cluster's connect_timeout`,
    `upstream "${upstreamName(plugin)}": the cluster name the filter calls out to`,
  ];
  if (endpoint.scheme === "https") {
    notes.push(s.ssl_verify
      ? `ssl_verify true: certificate checked against ${trustedCa} and ${endpoint.host}`
      : "ssl_verify false: TLS without certificate verification");
  } else {
    notes.push("http:// function_uri: plain HTTP, ssl_verify does not apply");
  }
  notes.push(s.keepalive
    ? `keepalive true: connections reused, closed after ${duration(s.keepalive_timeout)} idle (keepalive_timeout)`
    : "keepalive false: one request per connection");
  notes.push(`keepalive_pool ${s.keepalive_pool}: not applied; Envoy keeps every idle connection until its idle `
    + "timeout, and circuit_breakers.max_connections would cap concurrent callouts instead");
  if (needsEnvCredentials(plugin)) notes.push(`iam without keys: ${AWS_ENV_KEYS.join(", ")} passed from Envoy's environment`);
  return notes;
}
