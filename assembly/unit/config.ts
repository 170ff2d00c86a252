// Unit-test entry for the pure config and path modules: results come back as JSON text for the tests.
import { parseConfig } from "../config/config";
import { CredentialKind } from "../config/credential-source";
import { parseJson, JsonKind, JsonValue } from "../util/json-reader";
import { joinRequestPath } from "../http/request-path";
import { jsonString } from "../kernel/json-string";

function envFrom(lines: string): Map<string, string> {
  const env = new Map<string, string>();
  const parts = lines.split("\n");
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=");
    if (eq > 0) env.set(parts[i].substring(0, eq), parts[i].substring(eq + 1));
  }
  return env;
}

/** The parsed config as JSON (secrets included, for assertions), or {"error": message}. */
export function configSummary(text: string, env: string): string {
  const result = parseConfig(text, envFrom(env));
  const config = result.config;
  if (config == null) return "{\"error\":" + jsonString(result.error) + "}";
  const uri = config.functionUri;
  let iam = "null";
  const i = config.iam;
  if (i != null) {
    const source = i.source;
    const role = source.assumeRole;
    iam = "{\"accessKey\":" + jsonString(source.fixed.accessKeyId) + ",\"secretKey\":" + jsonString(source.fixed.secretAccessKey)
      + ",\"sessionToken\":" + jsonString(source.fixed.sessionToken) + ",\"region\":" + jsonString(i.scope.region)
      + ",\"service\":" + jsonString(i.scope.service) + ",\"scopeSource\":" + jsonString(i.scopeSource)
      + ",\"fromEnvironment\":" + (source.kind == CredentialKind.Environment ? "true" : "false")
      + ",\"source\":" + jsonString(source.describe()) + ",\"endpoint\":" + jsonString(source.endpoint.origin + source.endpoint.uri.path)
      + ",\"endpointUpstream\":" + jsonString(source.endpoint.upstream) + ",\"imdsV1\":" + (source.imdsV1 ? "true" : "false")
      + ",\"assumeRole\":" + (role == null ? "null" : "{\"roleArn\":" + jsonString(role.roleArn) + ",\"sessionName\":"
        + jsonString(role.sessionName) + ",\"duration\":" + role.durationSeconds.toString() + ",\"sts\":"
        + jsonString(role.sts.origin + role.sts.uri.path) + ",\"stsUpstream\":" + jsonString(role.sts.upstream)
        + ",\"region\":" + jsonString(role.region) + "}") + "}";
  }
  return "{\"scheme\":" + jsonString(uri.scheme) + ",\"host\":" + jsonString(uri.host) + ",\"port\":" + jsonString(uri.port)
    + ",\"path\":" + jsonString(uri.path) + ",\"query\":" + jsonString(uri.query)
    + ",\"authority\":" + jsonString(uri.authority)
    + ",\"pathPrefix\":" + (config.hasPathPrefix ? jsonString(config.pathPrefix) : "null")
    + ",\"upstream\":" + jsonString(config.upstream) + ",\"apiKey\":" + jsonString(config.apiKey)
    + ",\"iam\":" + iam + ",\"timeout\":" + config.timeoutMs.toString()
    + ",\"sslVerify\":" + (config.sslVerify ? "true" : "false") + ",\"keepalive\":" + (config.keepalive ? "true" : "false")
    + ",\"keepalivePool\":" + config.keepalivePool.toString() + ",\"keepaliveTimeout\":" + config.keepaliveTimeoutMs.toString()
    + ",\"maxReqBodySize\":" + config.maxReqBodySize.toString() + "}";
}

function render(value: JsonValue): string {
  switch (value.kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return value.bool ? "true" : "false";
    case JsonKind.Number: return value.text;
    case JsonKind.String: return jsonString(value.text);
    case JsonKind.Array: {
      const parts = new Array<string>();
      for (let i = 0; i < value.items.length; i++) parts.push(render(value.items[i]));
      return "[" + parts.join(",") + "]";
    }
    default: {
      const parts = new Array<string>();
      for (let i = 0; i < value.keys.length; i++) parts.push(jsonString(value.keys[i]) + ":" + render(value.items[i]));
      return "{" + parts.join(",") + "}";
    }
  }
}

/** The document re-serialized compactly, or "error: …". */
export function jsonRoundTrip(text: string): string {
  const result = parseJson(text);
  const value = result.value;
  return value == null ? "error: " + result.error : render(value);
}

/** The joined path?query, or "<status> <reason>"; `requestPath` is the raw `:path` with its query. */
export function joinPath(requestPath: string, functionPath: string, functionQuery: string, prefix: string, hasPrefix: bool): string {
  const question = requestPath.indexOf("?");
  const path = question < 0 ? requestPath : requestPath.substring(0, question);
  const query = question < 0 ? "" : requestPath.substring(question + 1);
  const result = joinRequestPath(path, query, functionPath, functionQuery, hasPrefix, prefix);
  if (!result.ok) return result.status.toString() + " " + result.reason;
  return result.query.length > 0 ? result.path + "?" + result.query : result.path;
}
