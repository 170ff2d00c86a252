// Which Envoy release `render envoy` writes for, and the PluginConfig fields that release knows. Older
// Envoys reject an unknown field in typed config, so a field newer than the target is left out.

/** The release rendered for unless --envoy-version says otherwise. */
export const DEFAULT_ENVOY_VERSION = "1.36";
/** PluginConfig.allow_on_headers_stop_iteration: in Envoy's API since 1.35.0 (go-control-plane envoy/v1.35.0). */
export const BODY_AFTER_PAUSE_SINCE = { major: 1, minor: 35 };
/** PluginConfig.failure_policy: since 1.33.0; before it only `fail_open`, whose default (false) also fails closed. */
export const FAILURE_POLICY_SINCE = { major: 1, minor: 33 };

/** "1.34" or "1.34.2" → {major, minor}; anything else → null. */
export function parseEnvoyVersion(text) {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(text);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : null;
}

/** True when `version` is `since` or later. */
export function atLeast(version, since) {
  return version.major > since.major || (version.major === since.major && version.minor >= since.minor);
}

/** "1.34" */
export function versionText(version) {
  return `${version.major}.${version.minor}`;
}

/** Warnings for what the target release cannot do with this filter (empty for current releases). */
export function versionWarnings(version) {
  if (atLeast(version, BODY_AFTER_PAUSE_SINCE)) return [];
  return [`Envoy ${versionText(version)} has no allow_on_headers_stop_iteration (1.35+), so it is left out. `
    + "The filter pauses each request on its headers; without that field Envoy turns the pause into "
    + "StopAllIterationAndWatermark and never hands the filter the body: requests with a body stall until "
    + "Envoy's stream idle timeout (408 after 5 minutes by default) or the client gives up, and only requests "
    + "without a body are answered. Use Envoy 1.35 or later."];
}

/** Notes for fields left out that the target release does without. */
export function versionNotes(version) {
  if (atLeast(version, FAILURE_POLICY_SINCE)) return [];
  return [`Envoy ${versionText(version)} has no failure_policy (1.33+), so it is left out: fail_open's default (false) `
    + "also answers 503 when the VM fails instead of letting requests past."];
}
