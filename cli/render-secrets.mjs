// Where a plugin config's secrets go when it is rendered for Envoy. Envoy's admin /config_dump shows the
// filter config verbatim, so by default ("env") IAM keys are left out and the filter reads them from the
// VM environment, which vm_config.environment_variables.host_env_keys fills from Envoy's own (the filter
// does so whenever `iam` has no keys), and an API key becomes `apikey_env`, the name of the variable that
// holds it. "inline" renders everything as written and reports it.

/** --secrets values. */
export const SECRET_MODES = ["env", "inline"];

/** The variable `--secrets env` moves an API key to (authorization.apikey_env). */
export const API_KEY_VARIABLE = "LAMBDA_API_KEY";

const IAM_SECRETS = ["accesskey", "secretkey", "secret_key", "session_token"];

/** The config without IAM keys: the filter reads them from the VM environment, and says so if they are missing. */
function withoutIamKeys(iam) {
  const kept = Object.fromEntries(Object.entries(iam).filter(([key]) => !IAM_SECRETS.includes(key) && key !== "credentials"));
  kept.credentials = "environment";
  return kept;
}

/**
 * The config to render under `mode`: `moved` = secrets left to the environment, `literal` = secrets
 * rendered, `variables` = the VM environment variables the rendered config reads its API key from.
 */
export function placeSecrets(plugin, mode) {
  const authorization = plugin.authorization ?? {};
  const iam = authorization.iam;
  const iamPaths = iam ? IAM_SECRETS.filter((key) => iam[key] !== undefined).map((key) => `authorization.iam.${key}`) : [];
  const hasApiKey = authorization.apikey !== undefined;
  if (mode === "inline" || (iamPaths.length === 0 && !hasApiKey)) {
    const literal = [...(hasApiKey ? ["authorization.apikey"] : []), ...iamPaths];
    return { plugin, moved: [], literal, variables: apiKeyVariables(plugin) };
  }
  const rendered = { ...authorization };
  if (iamPaths.length > 0) rendered.iam = withoutIamKeys(iam);
  if (hasApiKey) {
    delete rendered.apikey;
    rendered.apikey_env = API_KEY_VARIABLE;
  }
  const moved = [...(hasApiKey ? ["authorization.apikey"] : []), ...iamPaths];
  const placed = { ...plugin, authorization: rendered };
  return { plugin: placed, moved, literal: [], variables: apiKeyVariables(placed) };
}

/** The variable a config reads its API key from, as a list (empty without apikey_env). */
export function apiKeyVariables(plugin) {
  const name = plugin.authorization?.apikey_env;
  return typeof name === "string" && name.length > 0 ? [name] : [];
}

/**
 * Adds `variables` to a Wasm typed_config's vm_config.environment_variables.host_env_keys. Envoy reuses a
 * VM by vm_id, configuration and code, not by its environment: the VM gets an id naming what it reads.
 */
export function passVariables(typedConfig, variables) {
  if (variables.length === 0) return typedConfig;
  const vm = typedConfig.config.vm_config;
  const keys = vm.environment_variables?.host_env_keys ?? [];
  vm.environment_variables = { ...vm.environment_variables, host_env_keys: [...keys, ...variables.filter((v) => !keys.includes(v))] };
  const base = vm.vm_id.endsWith("-env") ? vm.vm_id : `${vm.vm_id}-env`;
  vm.vm_id = [base, ...variables.map((v) => v.toLowerCase().replaceAll("_", "-"))].join("-");
  return typedConfig;
}

/** APISIX's config.yaml entry, with nginx_config.envs passing `variables` to the workers too. */
export function passApisixVariables(configYaml, variables) {
  if (variables.length === 0) return configYaml;
  const envs = configYaml.nginx_config?.envs ?? [];
  return { ...configYaml, nginx_config: { ...configYaml.nginx_config, envs: [...envs, ...variables.filter((v) => !envs.includes(v))] } };
}
