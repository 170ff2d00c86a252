// APISIX Admin API route bodies for the wasm plugin. APISIX hands a route plugin's `conf` to
// proxy_on_configure; it accepts an object in recent versions, but older ones only a string, so the
// plugin JSON always goes in as a string here.
import { credentialEnvKeys } from "./render-envoy.mjs";

/** The wasm plugin's name in config.yaml: not `aws-lambda`, which the Lua plugin owns and would win. */
export const PLUGIN_NAME = "aws-lambda-wasm";
/** After limit-count/limit-req and authentication, next to the Lua aws-lambda (-1899): it answers the request. */
export const PLUGIN_PRIORITY = -1898;
/** Where config.yaml loads the module from unless told otherwise (examples/apisix/config.yaml). */
export const APISIX_WASM_PATH = "/usr/local/apisix/wasm/aws-lambda.wasm";

/** The route body: `uri` plus the plugin with its config as a JSON string. */
export function apisixRoute(plugin, { uri, name = PLUGIN_NAME }) {
  return { uri, plugins: { [name]: { conf: JSON.stringify(plugin) } } };
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
