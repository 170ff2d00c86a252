// Where a plugin config's secrets go when it is rendered for Envoy. Envoy's admin /config_dump shows the
// filter config verbatim, so by default ("env") IAM keys are left out and the filter reads them from the
// VM environment, which vm_config.environment_variables.host_env_keys fills from Envoy's own (the filter
// does so whenever `iam` has no keys). An API key has no environment form in the filter yet: it stays
// inline, and is reported. "inline" renders everything as written and reports it.

/** --secrets values. */
export const SECRET_MODES = ["env", "inline"];

const IAM_SECRETS = ["accesskey", "secretkey", "secret_key", "session_token"];

/** The config to render under `mode`: `moved` = secrets left to the environment, `literal` = secrets rendered. */
export function placeSecrets(plugin, mode) {
  const iam = plugin.authorization?.iam;
  const iamSecrets = iam ? IAM_SECRETS.filter((key) => iam[key] !== undefined) : [];
  const apikey = plugin.authorization?.apikey !== undefined ? ["authorization.apikey"] : [];
  const iamPaths = iamSecrets.map((key) => `authorization.iam.${key}`);
  if (mode === "inline" || iamSecrets.length === 0) return { plugin, moved: [], literal: [...apikey, ...iamPaths] };
  const kept = Object.fromEntries(Object.entries(iam).filter(([key]) => !IAM_SECRETS.includes(key) && key !== "credentials"));
  // Keys moved out of the config: the filter must read them from the VM environment, and say so if they are missing.
  kept.credentials = "environment";
  const rendered = { ...plugin, authorization: { ...plugin.authorization, iam: kept } };
  return { plugin: rendered, moved: iamPaths, literal: apikey };
}
