// One root (plugin) context per configuration: Envoy makes a new one on each config update in the same
// VM, APISIX one per route/service config. Each holds its own Config, so requests finish under the
// config they started with, and the callouts its streams dispatched (responses arrive on the root id).
import { getBuffer } from "../abi/host";
import { realtimeMillis } from "../abi/wasi";
import { CredentialProvider } from "../credentials/provider";
import { providerFor } from "./credential-providers";
import { BufferType, LogLevel } from "../abi/types";
import { environment } from "../abi/wasi";
import { Config, MAX_CONFIG_BYTES, parseConfig } from "../config/config";
import { configuredLine, hostEnforcedSettings } from "../config/describe";
import { isValidUtf8 } from "../kernel/utf8";
import { countConfigRefused } from "./metrics";
import { RetrySchedule } from "./retry-schedule";
import { logLine } from "./replies";
import { bodyAlwaysFollowsHeaders, canReplaceBodies, hostName, upstreamIsHostPort } from "./host-traits";
import { isHostPort } from "../config/host-port";
import { CredentialKind } from "../config/credential-source";
import { excerpt } from "../util/json-reader";

/** How often a root context with fetched credentials checks whether they are due for refresh. */
const CREDENTIAL_TICK_MS: u32 = 1000;

export class RootContext {
  config: Config | null = null;
  /** Callout token → id of the stream waiting for it. */
  pending: Map<u32, u32> = new Map();
  /** Streams waiting to retry (Envoy ticks). */
  readonly retries: RetrySchedule = new RetrySchedule();
  /** Where this config's SigV4 credentials come from; null without IAM. */
  credentials: CredentialProvider | null = null;

  constructor(public id: u32) {}

  /** proxy_on_configure: parse the plugin configuration; false refuses it (the host keeps the old one). */
  configure(configSize: usize): bool {
    const error = this.load(configSize);
    if (error.length > 0) {
      countConfigRefused();
      logLine(LogLevel.Critical, "configuration refused: " + error);
      return false;
    }
    const config = this.config!;
    const iam = config.iam;
    // A root reconfigured keeps nothing of its previous config's credentials: provider, refresh ticks.
    const provider = iam != null ? providerFor(iam.source) : null;
    this.credentials = provider;
    // Envoy checks fetched credentials for refresh in the background; APISIX has no ticks (false there).
    this.retries.setIdlePeriod(provider != null && provider.rotates ? CREDENTIAL_TICK_MS : 0);
    logLine(LogLevel.Info, configuredLine(config, hostName()));
    if (bodyAlwaysFollowsHeaders()) {
      const ignored = hostEnforcedSettings(config);
      if (ignored.length > 0) {
        logLine(LogLevel.Warn, ignored + ": cannot take effect on APISIX, whose wasm callouts always verify TLS "
          + "and use default keepalive");
      }
    }
    return true;
  }

  private load(configSize: usize): string {
    if (configSize > <usize>MAX_CONFIG_BYTES) {
      return "configuration is " + configSize.toString() + " bytes, more than " + MAX_CONFIG_BYTES.toString();
    }
    const bytes = getBuffer(BufferType.PluginConfiguration, 0, <u32>configSize);
    if (bytes.byteLength == 0) return "configuration is empty: a JSON object with \"function_uri\" is required";
    if (bytes.byteLength > MAX_CONFIG_BYTES) return "configuration is larger than " + MAX_CONFIG_BYTES.toString() + " bytes";
    if (!isValidUtf8(bytes)) return "configuration is not valid UTF-8";
    const result = parseConfig(String.UTF8.decode(bytes), environment());
    const config = result.config;
    if (config == null) return result.error;
    if (upstreamIsHostPort()) {
      // wasm-nginx-module accepts any authority here and the call then fails at run time, as a 503.
      const problem = notHostPort(config);
      if (problem.length > 0) return problem;
    }
    if (config.proxy && config.invoke != null && !canReplaceBodies()) {
      return "property \"mode\" validation failed: \"proxy\" with a Lambda function ARN replaces the request body with "
        + "the event, which this host cannot do (APISIX's wasm-nginx-module answers proxy_set_buffer_bytes with "
        + "Unimplemented): use \"callout\" here";
    }
    this.config = config;
    return "";
  }

  /** On a tick: starts a background refresh of this config's credentials when one is due. */
  refreshCredentials(): void {
    const provider = this.credentials;
    const config = this.config;
    if (provider != null && config != null) provider.refreshIfDue(realtimeMillis(), this.id, config.timeoutMs);
  }
}

/** The first callout target (upstream, credential endpoints') that is not host[:port], as a refusal; "" when none. */
function notHostPort(config: Config): string {
  const rule = " validation failed: on APISIX it must be host[:port] (letters, digits, '-', '.', or an [IPv6] address), "
    + "not a cluster name: \"";
  if (config.upstreamGiven && !isHostPort(config.upstream)) return "property \"upstream\"" + rule + excerpt(config.upstream) + "\"";
  const iam = config.iam;
  if (iam == null) return "";
  const source = iam.source;
  if (source.fetched && source.endpoint.upstream.length > 0 && !isHostPort(source.endpoint.upstream)) {
    const field = source.kind == CredentialKind.Container ? "container_upstream" : "imds_upstream";
    return "property \"authorization\" validation failed: property \"iam\" validation failed: property \"" + field + "\""
      + rule + excerpt(source.endpoint.upstream) + "\"";
  }
  const role = source.assumeRole;
  if (role != null && !isHostPort(role.sts.upstream)) {
    return "property \"authorization\" validation failed: property \"iam\" validation failed: property \"assume_role\" "
      + "validation failed: property \"sts_upstream\"" + rule + excerpt(role.sts.upstream) + "\"";
  }
  return "";
}
