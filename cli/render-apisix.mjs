// APISIX Admin API route bodies for the wasm plugin. APISIX hands a route plugin's `conf` to
// proxy_on_configure; it accepts an object in recent versions, but older ones only a string, so the
// plugin JSON always goes in as a string here.
import { credentialEnvKeys, functionEndpoint } from "./render-envoy.mjs";

/** The wasm plugin's name in config.yaml: not `aws-lambda`, which the Lua plugin owns and would win. */
export const PLUGIN_NAME = "aws-lambda-wasm";
/** After limit-count/limit-req and authentication, next to the Lua aws-lambda (-1899): it answers the request. */
export const PLUGIN_PRIORITY = -1898;
/** Where config.yaml loads the module from unless told otherwise (examples/apisix/config.yaml). */
export const APISIX_WASM_PATH = "/usr/local/apisix/wasm/aws-lambda.wasm";

/** Lambda's longest run (15 min), in seconds: what nginx may wait between two reads of a proxied response. */
export const PROXY_READ_TIMEOUT = 900;

/**
 * The route body: `uri` plus the plugin with its config as a JSON string; in proxy mode the route's upstream
 * too — the function host:443 over https, pass_host "pass" so that the Host nginx sends is the
 * $upstream_host the filter signed (SNI follows it).
 */
export function apisixRoute(plugin, { uri, name = PLUGIN_NAME }) {
  const route = { uri, plugins: { [name]: { conf: JSON.stringify(plugin) } } };
  if (plugin.mode !== "proxy") return route;
  const endpoint = functionEndpoint(plugin);
  return {
    ...route,
    upstream: {
      type: "roundrobin", scheme: endpoint.scheme, pass_host: "pass",
      nodes: { [`${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`]: 1 },
      timeout: { connect: 6, send: 60, read: PROXY_READ_TIMEOUT },
    },
  };
}

/** What proxy mode on APISIX relies on. */
export function apisixProxyNotes(plugin) {
  return [
    `mode proxy: the filter sets $upstream_uri and $upstream_host and signs; nginx proxies to the route's upstream above (scheme ${functionEndpoint(plugin).scheme}, `
      + "pass_host \"pass\"); keep http_request_phase \"access\" and no proxy-rewrite uri/host on this route, which would change what was signed.",
    `upstream.timeout.read ${PROXY_READ_TIMEOUT} s: nginx waits that long between reads of a streamed response (Lambda runs up to 15 minutes).`,
    "Responses pass through untouched and unbuffered (the filter only counts them); URL targets only: Invoke API ARNs are refused in proxy mode on APISIX.",
  ];
}

/** The config.yaml additions that declare the plugin a route names (and pass the AWS_* variables its credentials read). */
export function apisixConfigYaml(plugin, { name = PLUGIN_NAME, file = APISIX_WASM_PATH } = {}) {
  const config = { wasm: { plugins: [{ name, priority: PLUGIN_PRIORITY, file, http_request_phase: "access" }] } };
  // nginx hides the environment from its workers except what `env` lists.
  const envs = credentialEnvKeys(plugin);
  if (envs.length > 0) config.nginx_config = { envs };
  return config;
}

/** Route/config mismatches (the filter itself warns about ssl_verify and keepalive* on APISIX). */
export function apisixNotes(plugin, uri) {
  const notes = [];
  const prefix = uri.endsWith("/*") ? uri.slice(0, -2) : null;
  if (prefix !== null && plugin.path_prefix === undefined) {
    notes.push(`route "${uri}" forwards sub-paths only with "path_prefix": "${prefix || "/"}" in the plugin config`);
  }
  if (plugin.path_prefix !== undefined && !uri.startsWith(plugin.path_prefix)) {
    notes.push(`path_prefix "${plugin.path_prefix}" does not match route "${uri}": requests outside it are answered 404`);
  }
  return notes;
}
