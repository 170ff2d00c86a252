// One root (plugin) context per configuration: Envoy makes a new one on each config update in the same
// VM, APISIX one per route/service config. Each holds its own Config, so requests finish under the
// config they started with, and the callouts its streams dispatched (responses arrive on the root id).
import { getBuffer } from "../abi/host";
import { BufferType, LogLevel } from "../abi/types";
import { environment } from "../abi/wasi";
import { Config, MAX_CONFIG_BYTES, parseConfig } from "../config/config";
import { isValidUtf8 } from "../kernel/utf8";
import { countConfigRefused } from "./metrics";
import { RetrySchedule } from "./retry-schedule";
import { logLine } from "./replies";
import { bodyAlwaysFollowsHeaders, hostName } from "./host-traits";

export class RootContext {
  config: Config | null = null;
  /** Callout token → id of the stream waiting for it. */
  pending: Map<u32, u32> = new Map();
  /** Streams waiting to retry (Envoy ticks). */
  readonly retries: RetrySchedule = new RetrySchedule();

  constructor(public id: u32) {}

  /** proxy_on_configure: parse the plugin configuration; false refuses it (the host keeps the old one). */
  configure(configSize: usize): bool {
    const error = this.load(configSize);
    if (error.length > 0) {
      countConfigRefused();
      logLine(LogLevel.Critical, "configuration refused: " + error);
      return false;
    }
    this.describe(this.config!);
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
    if (result.config == null) return result.error;
    this.config = result.config;
    return "";
  }

  /** One info line with the effective settings (never a secret), and warnings for settings the host fixes. */
  private describe(config: Config): void {
    let auth = "none";
    const iam = config.iam;
    if (iam != null) {
      auth = "iam (region " + iam.scope.region + ", service " + iam.scope.service + " from " + iam.scopeSource
        + (iam.fromEnvironment ? ", credentials from environment" : "")
        + (iam.credentials.sessionToken.length > 0 ? ", session token" : "") + ")";
      if (config.apiKey.length > 0) auth = "api key + " + auth;
    } else if (config.apiKey.length > 0) {
      auth = "api key";
    }
    const uri = config.functionUri;
    const invoke = config.invoke;
    const target = invoke == null ? "function " + uri.scheme + "://" + uri.authority + uri.path
      : "Invoke API of " + invoke.arn.unqualified(invoke.arn.name, invoke.region)
        + (invoke.arn.qualifier.length > 0 ? ":" + invoke.arn.qualifier : "")
        + " (" + invoke.eventFormatName + (invoke.asynchronous ? ", Event" : "")
        + (invoke.allowedFunctions.length > 0 ? ", functions from path: " + invoke.allowedFunctions.join(",") : "")
        + (invoke.qualifiers.length > 0 ? ", weighted qualifiers" : "")
        + (invoke.maxRetries > 0 ? ", up to " + invoke.maxRetries.toString() + " retries" : "") + ")";
    logLine(LogLevel.Info, "configured on " + hostName() + ": " + target
      + (config.hasPathPrefix ? ", path_prefix \"" + config.pathPrefix + "\"" : "")
      + ", upstream \"" + config.upstream + "\", auth " + auth + ", timeout " + config.timeoutMs.toString() + " ms");
    if (bodyAlwaysFollowsHeaders() && (!config.sslVerify || !config.keepalive || config.keepalivePool != 5
      || config.keepaliveTimeoutMs != 60000)) {
      logLine(LogLevel.Warn, "ssl_verify and keepalive* cannot take effect on APISIX: its wasm callouts always "
        + "verify TLS and use default keepalive");
    }
  }
}
