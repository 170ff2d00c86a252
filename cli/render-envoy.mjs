// The one place that maps an aws-lambda plugin config onto Envoy v3 config: the wasm HTTP filter that
// carries the config, the cluster its callouts go to, and the clusters of the credential endpoints it
// fetches credentials from (instance metadata, the container endpoint, STS). On Envoy the filter enforces `timeout` (the
// callout timeout); TLS, verification and connection reuse belong to the cluster, so `ssl_verify` and
// `keepalive*` become cluster settings here. The examples' tests compare the example files with this.
// Input: a plugin config the filter has accepted (run validate first). Options: `wasmPath`,
// `envoyVersion` (fields newer than it are left out, envoy-version.mjs), `trustedCa`.
import { atLeast, BODY_AFTER_PAUSE_SINCE, DEFAULT_ENVOY_VERSION, FAILURE_POLICY_SINCE, parseEnvoyVersion } from "./envoy-version.mjs";

import { createHash } from "node:crypto";
import { defaultOf } from "../schema/fields.mjs";

/** HttpFilter name, also the ECDS resource name and the typed_per_filter_config key. */
export const FILTER_NAME = "aws-lambda";
/** The filter's root context id (PluginConfig.root_id; WasmPlugin pluginName; EnvoyExtensionPolicy rootID). */
export const ROOT_ID = "aws_lambda";
/** Debian/Ubuntu's system trust store, what APISIX verifies against; the default --trusted-ca. */
export const SYSTEM_TRUST_STORE = "/etc/ssl/certs/ca-certificates.crt";
/** Credentials the filter reads from the VM environment when `iam` has no keys. */
export const AWS_ENV_KEYS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];
/** Where the container credentials endpoint is (ECS: relative to 169.254.170.2; EKS Pod Identity: full). */
export const CONTAINER_ENV_KEYS = ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"];
export const CONTAINER_TOKEN_KEY = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/** Instance metadata's endpoint override and off switch. */
export const IMDS_ENV_KEYS = ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED"];
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

/** authorization.iam.credentials as the filter reads it: "static" with keys, "chain" without; null without iam. */
export function credentialKind(plugin) {
  const iam = plugin.authorization?.iam;
  if (iam === undefined) return null;
  const keys = iam.accesskey !== undefined || iam.secretkey !== undefined || iam.secret_key !== undefined;
  return iam.credentials ?? (keys ? "static" : "chain");
}

/** True when the filter will read AWS keys from the VM environment ("environment", or the chain's first choice). */
export function needsEnvCredentials(plugin) {
  const kind = credentialKind(plugin);
  return kind === "environment" || kind === "chain";
}

/** The VM environment variables the filter may read for `plugin`'s credentials (the chain: every source's). */
export function credentialEnvKeys(plugin) {
  const kind = credentialKind(plugin);
  const iam = plugin.authorization?.iam ?? {};
  const keys = [];
  if (kind === "environment" || kind === "chain") keys.push(...AWS_ENV_KEYS);
  if (kind === "container" || kind === "chain") {
    // The token is read even when container_endpoint names the endpoint.
    if (iam.container_endpoint === undefined) keys.push(...CONTAINER_ENV_KEYS);
    keys.push(CONTAINER_TOKEN_KEY);
  }
  if ((kind === "instance" || kind === "chain") && iam.imds_endpoint === undefined) keys.push(...IMDS_ENV_KEYS);
  return keys;
}

/**
 * The VM id for a set of environment variables. Envoy reuses a VM by vm_id, vm configuration and code, not
 * by environment_variables, so each set gets its own id (the AWS keys alone keep the shorter one).
 */
function vmId(envKeys) {
  if (envKeys.length === 0) return FILTER_NAME;
  if (envKeys.join(",") === AWS_ENV_KEYS.join(",")) return `${FILTER_NAME}-env`;
  return `${FILTER_NAME}-env-${createHash("sha256").update(envKeys.join(",")).digest("hex").slice(0, 8)}`;
}

/** envoy.extensions.filters.http.wasm.v3.Wasm carrying the plugin config. */
export function wasmTypedConfig(plugin, { wasmPath = DEFAULT_WASM_PATH, envoyVersion = parseEnvoyVersion(DEFAULT_ENVOY_VERSION) } = {}) {
  const envKeys = credentialEnvKeys(plugin);
  const env = envKeys.length > 0;
  const vmConfig = {
    // Envoy reuses a VM by vm_id, vm configuration and code, not by environment_variables: a VM started
    // without the AWS variables would be reused without them, so the VM that has them gets its own id.
    vm_id: vmId(envKeys),
    runtime: "envoy.wasm.runtime.v8",
    code: { local: { filename: wasmPath } },
  };
  if (env) vmConfig.environment_variables = { host_env_keys: envKeys };
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

/** An http(s) URL as the filter reads an endpoint: scheme, host (lower case, IPv6 without brackets), port, host[:port]. */
function endpointOf(url) {
  const match = /^(https?):\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d+))?/i.exec(url);
  if (!match) throw new Error(`not an http(s) URL: ${url}`);
  const scheme = match[1].toLowerCase();
  const host = match[2].toLowerCase();
  const authority = match[3] !== undefined ? `${host}:${match[3]}` : host;
  const port = match[3] !== undefined ? Number(match[3]) : scheme === "https" ? 443 : 80;
  const ip = host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host);
  return { scheme, authority, host: host.replace(/^\[|\]$/g, ""), port, ip };
}

/** The SigV4 region as the filter resolves it: aws_region, else the function host's, else us-east-1. */
function signingRegion(plugin) {
  const configured = plugin.authorization?.iam?.aws_region;
  if (configured) return configured;
  const labels = functionEndpoint(plugin).host.split(".");
  if (labels.length >= 5 && labels[1] === "execute-api" && labels[3] === "amazonaws") return labels[2];
  if (labels.length >= 4 && labels[0] === "lambda" && labels[2] === "amazonaws") return labels[1];
  if (labels.length === 5 && labels[1] === "lambda-url" && labels[3] === "on" && labels[4] === "aws") return labels[2];
  return "us-east-1";
}

/** ECS's task credentials host and EKS Pod Identity's agent: where the container endpoint is when the environment says. */
const CONTAINER_DEFAULTS = ["http://169.254.170.2", "http://169.254.170.23"];
const IMDS_DEFAULT = "http://169.254.169.254";

/**
 * The credential endpoints the filter may call out to for `plugin`, each with the upstream (cluster name)
 * it uses: instance metadata, the container endpoint (both link-local hosts when the environment names
 * it), STS for assume_role. The chain may pick any source at run time, so it gets all of them.
 */
export function credentialEndpoints(plugin) {
  const kind = credentialKind(plugin);
  const iam = plugin.authorization?.iam ?? {};
  const endpoints = [];
  const add = (url, upstream, what) => {
    const endpoint = endpointOf(url);
    endpoints.push({ ...endpoint, name: upstream ?? endpoint.authority, what });
  };
  if (kind === "container" || kind === "chain") {
    if (iam.container_endpoint !== undefined) add(iam.container_endpoint, iam.container_upstream, "the container credentials endpoint");
    else for (const url of CONTAINER_DEFAULTS) add(url, iam.container_upstream, `the container credentials endpoint (${url})`);
  }
  if (kind === "instance" || kind === "chain") add(iam.imds_endpoint ?? IMDS_DEFAULT, iam.imds_upstream, "instance metadata");
  const role = iam.assume_role;
  if (role !== undefined) {
    const region = signingRegion(plugin);
    const sts = role.sts_endpoint ?? `https://sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
    add(sts, role.sts_upstream, "STS");
  }
  // One cluster per name (a container_upstream shared by both link-local hosts keeps the first).
  return endpoints.filter((e, i) => endpoints.findIndex((o) => o.name === e.name) === i);
}

/**
 * The cluster for one credential endpoint: plain HTTP to instance metadata and the link-local container
 * hosts (their answers carry no TLS), TLS with SNI and verification to STS and any https endpoint.
 */
export function credentialCluster(endpoint, { plugin = {}, trustedCa = SYSTEM_TRUST_STORE } = {}) {
  const timeout = plugin.timeout ?? DEFAULTS.timeout;
  const cluster = { name: endpoint.name, type: endpoint.ip ? "STATIC" : "LOGICAL_DNS", connect_timeout: duration(timeout) };
  if (!endpoint.ip) cluster.dns_lookup_family = "V4_PREFERRED";
  cluster.load_assignment = {
    cluster_name: cluster.name,
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: endpoint.host, port_value: endpoint.port } } } }] }],
  };
  if (endpoint.scheme === "https") cluster.transport_socket = tlsTransportSocket(endpoint, true, trustedCa);
  cluster.typed_extension_protocol_options = {
    [HTTP_OPTIONS_KEY]: { "@type": TYPES.httpOptions, explicit_http_config: { http_protocol_options: {} } },
  };
  return cluster;
}

/** Every cluster the filter calls out to for `plugin`: the function's, then its credential endpoints' (unless named alike). */
export function envoyClusters(plugin, options = {}) {
  const function_ = lambdaCluster(plugin, options);
  const credentials = credentialEndpoints(plugin).filter((e) => e.name !== function_.name)
    .map((e) => credentialCluster(e, { plugin, trustedCa: options.trustedCa }));
  return [function_, ...credentials];
}

/** Lambda's longest run (15 min): a proxied response may stream that long, and Envoy's route timeout spans all of it. */
export const PROXY_ROUTE_TIMEOUT = "900s";
/** Enough for a filter that reads a buffered Invoke API answer back (Lambda's 6 MB, and room for the JSON). */
export const PROXY_INVOKE_BUFFER_LIMIT = 8 * 1024 * 1024;

/**
 * Proxy mode: the virtual host the router picks once the filter rewrote :authority to the function's (each
 * header write clears the route cache), routing everything to the function's cluster, under Lambda's
 * maximum run time instead of Envoy's 15 s default.
 */
export function functionVirtualHost(plugin) {
  const authority = functionEndpoint(plugin).authority;
  return {
    name: `${FILTER_NAME}-function`,
    domains: [authority],
    routes: [{ match: { prefix: "/" }, route: { cluster: upstreamName(plugin), timeout: PROXY_ROUTE_TIMEOUT } }],
  };
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
  const notes = plugin.mode === "proxy" ? proxyNotes(plugin) : [
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
  const envKeys = credentialEnvKeys(plugin);
  if (envKeys.length > 0) {
    notes.push(`credentials ${credentialKind(plugin)}: ${envKeys.join(", ")} passed from Envoy's environment (a missing one is skipped)`);
  }
  for (const endpoint of credentialEndpoints(plugin)) {
    notes.push(`cluster "${endpoint.name}": ${endpoint.what}, ${endpoint.scheme === "https" ? `TLS verified against ${trustedCa}` : "plain HTTP"}`);
  }
  return notes;
}

/** Where proxy mode's pieces go and what they need. */
function proxyNotes(plugin) {
  const invoke = /^(?:arn:|\d{12}:function:)/.test(plugin.function_uri);
  const cluster = upstreamName(plugin);
  const notes = [
    `mode proxy: the filter rewrites :authority to ${functionEndpoint(plugin).authority} and signs the request in place; the router then`,
    `  picks the virtual host above and sends it to the cluster "${cluster}" (route timeout ${PROXY_ROUTE_TIMEOUT}: Envoy's 15 s default spans the whole`,
    "  response and would cut streams). The route that matches the client's request needs no cluster of its own.",
    "allow_on_headers_stop_iteration: needed for request bodies and for the filter to hold the response headers it rewrites.",
  ];
  if (invoke) {
    notes.push(`Invoke API: the filter reads Lambda's buffered answer back; raise the listener's per_connection_buffer_limit_bytes to ${PROXY_INVOKE_BUFFER_LIMIT}`
      + " (Envoy's 1 MiB default answers larger replies 500). A request without a body goes by callout to the same cluster.");
  }
  return notes;
}
