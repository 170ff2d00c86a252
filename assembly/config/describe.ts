// How an accepted configuration is described in the configure log line: the target, the route and the
// authentication in words, then every setting given other than its default (never a secret).
import { Config } from "./config";
import { CredentialKind } from "./credential-source";

function auth(config: Config): string {
  const iam = config.iam;
  const apiKey = config.apiKey.length > 0;
  const key = config.apiKeyVariable.length > 0 ? "api key from " + config.apiKeyVariable : "api key";
  if (iam == null) return apiKey ? key : "none";
  const source = iam.source;
  const fixedKeys = source.kind == CredentialKind.Static && !source.chosenByChain && source.assumeRole == null;
  const text = "iam (region " + iam.scope.region + ", service " + iam.scope.service + " from " + iam.scopeSource
    + (fixedKeys ? "" : ", credentials from " + source.describe())
    + (!source.fetched && source.fixed.sessionToken.length > 0 ? ", session token" : "") + ")";
  return apiKey ? key + " + " + text : text;
}

function target(config: Config): string {
  const uri = config.functionUri;
  const invoke = config.invoke;
  if (invoke == null) return "function " + uri.scheme + "://" + uri.authority + uri.path;
  return "Invoke API of " + invoke.arn.unqualified(invoke.arn.name, invoke.region)
    + (invoke.arn.qualifier.length > 0 ? ":" + invoke.arn.qualifier : "");
}

/** `configured on <host>: <target>, path_prefix, upstream, auth, timeout[, <setting> <value>…]`. */
export function configuredLine(config: Config, host: string): string {
  let line = "configured on " + host + ": " + target(config)
    + (config.hasPathPrefix ? ", path_prefix \"" + config.pathPrefix + "\"" : "")
    + (config.proxy ? ", proxied over the route's upstream" : ", upstream \"" + config.upstream + "\"")
    + ", auth " + auth(config) + (config.proxy ? "" : ", timeout " + config.timeoutMs.toString() + " ms");
  const settings = config.settings;
  for (let i = 0; i < settings.length; i++) {
    const setting = settings[i];
    if (setting.path == "timeout" || setting.path == "mode") continue; // shown above
    line += ", " + setting.path + " " + setting.value;
  }
  return line;
}

/** The settings a host enforces (not the filter) that differ from their defaults, "" when none. */
export function hostEnforcedSettings(config: Config): string {
  const listed = new Array<string>();
  const settings = config.settings;
  for (let i = 0; i < settings.length; i++) {
    if (settings[i].hostEnforced) listed.push(settings[i].path + " " + settings[i].value);
  }
  return listed.join(", ");
}
