// The options of `render envoy` and `render apisix` beyond the config file: checked, turned into the
// renderers' options, and the notes and warnings about them that go to stderr.
import { DEFAULT_ENVOY_VERSION, parseEnvoyVersion, versionNotes, versionWarnings } from "./envoy-version.mjs";
import { apiKeyVariables, passApisixVariables, passVariables, placeSecrets, SECRET_MODES } from "./render-secrets.mjs";
import { AWS_ENV_KEYS, DEFAULT_WASM_PATH, SYSTEM_TRUST_STORE } from "./render-envoy.mjs";
import { APISIX_WASM_PATH, apisixConfigYaml } from "./render-apisix.mjs";

export { apiKeyVariables, APISIX_WASM_PATH, apisixConfigYaml, DEFAULT_ENVOY_VERSION, passApisixVariables, passVariables, placeSecrets, SYSTEM_TRUST_STORE };

/** render envoy's options as {secrets, render: {wasmPath, envoyVersion, trustedCa}}, or {error}. */
export function envoyOptions(options) {
  const versionOption = options["--envoy-version"] ?? DEFAULT_ENVOY_VERSION;
  const envoyVersion = parseEnvoyVersion(versionOption);
  if (!envoyVersion) return { error: `--envoy-version must be a release such as ${DEFAULT_ENVOY_VERSION}, not ${versionOption}` };
  const secrets = options["--secrets"] ?? "env";
  if (!SECRET_MODES.includes(secrets)) return { error: `--secrets must be ${SECRET_MODES.join(" or ")}, not ${secrets}` };
  const trustedCa = options["--trusted-ca"] ?? SYSTEM_TRUST_STORE;
  if (trustedCa === "") return { error: "--trusted-ca needs the path of a CA bundle" };
  return { secrets, render: { wasmPath: options["--wasm-path"] ?? DEFAULT_WASM_PATH, envoyVersion, trustedCa } };
}

/** stderr lines for what was placed where (placeSecrets' result) and what the target Envoy lacks. */
export function envoyMessages({ moved, literal, variables }, { secrets, render }) {
  const lines = [];
  if (moved.length > 0) {
    const iamMoved = moved.some((p) => p.startsWith("authorization.iam."));
    const keys = iamMoved ? AWS_ENV_KEYS.filter((k) => k !== "AWS_SESSION_TOKEN" || moved.includes("authorization.iam.session_token")) : [];
    const apiKey = moved.includes("authorization.apikey") ? ` (${variables.join(", ")} holds the API key: authorization.apikey_env names it)` : "";
    lines.push(`note: ${moved.join(", ")} left out of the rendered config (--secrets env): start Envoy with `
      + `${[...keys, ...variables].join(", ")} in its environment${apiKey}; vm_config.environment_variables.host_env_keys hands them to the filter.`);
  } else if (variables.length > 0) {
    lines.push(`note: the filter reads the API key from ${variables.join(", ")} (authorization.apikey_env): start Envoy with it in its environment.`);
  }
  if (literal.length > 0) {
    const why = secrets === "inline" ? " (--secrets env would leave them out)" : "";
    lines.push(`warning: literal secrets rendered into the filter config: ${literal.join(", ")}${why}; `
      + "anyone who reads this config or Envoy's admin /config_dump sees them.");
  }
  for (const line of versionWarnings(render.envoyVersion)) lines.push(`warning: ${line}`);
  for (const line of versionNotes(render.envoyVersion)) lines.push(`note: ${line}`);
  return lines;
}
