// The plugin configuration: APISIX aws-lambda's JSON (same fields, defaults and ranges) plus the two
// fields a proxy-wasm filter needs (`path_prefix`, `upstream`) and temporary credentials. Parsed once
// per configure into an immutable Config that the requests of that root context share.
import { JsonKind, parseJson, jsonTypeName } from "../util/json-reader";
import { Modes, Targets } from "./field";
import {
  AUTHORIZATION, AUTHORIZATION_APIKEY, AUTHORIZATION_APIKEY_ENV, AUTHORIZATION_IAM, FUNCTION_URI, KEEPALIVE, MODE, RESPONSE_STREAM,
  KEEPALIVE_POOL, KEEPALIVE_TIMEOUT, MAX_REQ_BODY_SIZE, PATH_PREFIX, PLUGIN_CONFIG, SSL_VERIFY,
  TIMEOUT, UPSTREAM,
} from "./fields";
import { ConfigReport, Fields, Setting } from "./reader";
import { FunctionUri, parseFunctionUri } from "./function-uri";
import { IamConfig, parseIam } from "./iam";
import { checkPrintable, checkUpstream } from "./value-checks";
import { looksLikeArn, parseLambdaArn } from "./lambda-arn";
import { InvokeOptions, parseInvokeOptions } from "./invoke-options";

/** Plugin configurations are small; anything larger is refused before parsing. */
export const MAX_CONFIG_BYTES: i32 = 1 << 20;

export class Config {
  functionUri: FunctionUri = new FunctionUri();
  /** Route prefix removed from the request path before joining; "" = forward function_uri's path only. */
  pathPrefix: string = "";
  hasPathPrefix: bool = false;
  /** proxy_http_call target: Envoy cluster name or APISIX host[:port]. */
  upstream: string = "";
  /** True when `upstream` was configured (else it is function_uri's host[:port]). */
  upstreamGiven: bool = false;
  /** Sent as x-api-key; "" = none. */
  apiKey: string = "";
  /** The VM environment variable the API key came from (authorization.apikey_env); "" = the config's own. */
  apiKeyVariable: string = "";
  iam: IamConfig | null = null;
  /** Set when function_uri is a Lambda ARN: the callout goes to the Invoke API. */
  invoke: InvokeOptions | null = null;
  timeoutMs: i64 = 3000;
  sslVerify: bool = true;
  keepalive: bool = true;
  keepalivePool: i64 = 5;
  keepaliveTimeoutMs: i64 = 60000;
  maxReqBodySize: i64 = 67108864;
  /** Proxy mode: sign the request in place and let the route's upstream carry it (mode "proxy"). */
  proxy: bool = false;
  /** InvokeWithResponseStream (proxy mode, Invoke API targets). */
  responseStream: bool = false;
  /** Settings given other than their defaults (never secrets), for the configure log line. */
  settings: Array<Setting> = [];
}

export class ConfigResult {
  constructor(public config: Config | null, public error: string) {}
}

function parsePathPrefix(fields: Fields, config: Config): void {
  if (!fields.has(PATH_PREFIX)) return;
  let prefix = fields.string(PATH_PREFIX);
  if (prefix.length == 0) return;
  if (!prefix.startsWith("/")) { fields.fail("path_prefix", "must start with \"/\""); return; }
  if (prefix.includes("?") || prefix.includes("#") || prefix.includes("*")) {
    fields.fail("path_prefix", "must be a plain path such as \"/aws\" (no \"*\", \"?\" or \"#\")");
    return;
  }
  let end = prefix.length;
  while (end > 1 && prefix.charCodeAt(end - 1) == 0x2f) end--;
  prefix = prefix.substring(0, end);
  config.pathPrefix = prefix == "/" ? "" : prefix;
  config.hasPathPrefix = true;
}

function parseUpstream(fields: Fields, config: Config): void {
  const given = fields.string(UPSTREAM);
  config.upstreamGiven = given.length > 0;
  const upstream = given.length > 0 ? given : config.functionUri.authority;
  if (checkUpstream(fields, "upstream", upstream)) config.upstream = upstream;
}

/** POSIX's portable variable names: a letter or '_', then letters, digits and '_'. */
function isVariableName(name: string): bool {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
    if (!letter && !(i > 0 && c >= 0x30 && c <= 0x39)) return false;
  }
  return name.length > 0;
}

/** authorization.apikey, or the VM environment variable that apikey_env names (one of them, not both). */
function parseApiKey(authorization: Fields, env: Map<string, string>, config: Config): void {
  const literal = authorization.string(AUTHORIZATION_APIKEY);
  const variable = authorization.string(AUTHORIZATION_APIKEY_ENV);
  if (literal.length > 0 && variable.length > 0) {
    authorization.failHere("use either \"apikey\" or \"apikey_env\", not both");
    return;
  }
  if (variable.length == 0) {
    checkPrintable(authorization, "apikey", literal, "");
    config.apiKey = literal;
    return;
  }
  if (!isVariableName(variable)) {
    authorization.fail("apikey_env", "must be an environment variable name (letters, digits and '_', not starting with a digit)");
    return;
  }
  const value = env.has(variable) ? env.get(variable) : "";
  if (value.length == 0) {
    authorization.fail("apikey_env", variable + " missing from the VM environment");
    return;
  }
  // The message names the variable, never its value.
  checkPrintable(authorization, "apikey_env", value, variable);
  config.apiKey = value;
  config.apiKeyVariable = variable;
}

/** aws_region as written in authorization.iam, "" when absent (a full ARN names its own region). */
function configuredRegion(authorization: Fields | null): string {
  if (authorization == null) return "";
  const iam = authorization.node.get("iam");
  if (iam == null || iam.kind != JsonKind.Object) return "";
  const region = iam.get("aws_region");
  return region != null && region.kind == JsonKind.String ? region.text : "";
}

/** The Invoke API only takes SigV4 for service lambda; an API key means nothing there. */
function checkInvokeAuthorization(fields: Fields, config: Config): void {
  const iam = config.iam;
  if (iam == null) {
    fields.failHere("function_uri is a Lambda function ARN: the Invoke API needs \"authorization.iam\" credentials");
  } else if (iam.scope.service != "lambda") {
    fields.failHere("function_uri is a Lambda function ARN: authorization.iam.service must be \"lambda\", not \""
      + iam.scope.service + "\"");
  }
}

/** Parses and validates a plugin configuration; `env` supplies AWS_* credentials when the iam object omits them. */
export function parseConfig(text: string, env: Map<string, string>): ConfigResult {
  const parsed = parseJson(text);
  const root = parsed.value;
  if (root == null) return new ConfigResult(null, "invalid configuration JSON: " + parsed.error);
  if (root.kind != JsonKind.Object) {
    return new ConfigResult(null, "invalid configuration: wrong type: expected object, got " + jsonTypeName(root));
  }
  const report = new ConfigReport();
  const fields = new Fields(root, PLUGIN_CONFIG, [], report);
  const config = new Config();

  const uriText = fields.string(FUNCTION_URI);
  config.proxy = fields.choice(MODE) == "proxy";
  fields.checkModes(config.proxy ? Modes.Proxy : Modes.Callout, config.proxy
    ? "does not apply in proxy mode (the route's upstream carries the request, under the route's timeout)"
    : "only applies with \"mode\": \"proxy\"");
  const authorization = fields.object(AUTHORIZATION);
  if (looksLikeArn(uriText)) {
    const arn = parseLambdaArn(uriText);
    if (arn.arn == null) fields.fail("function_uri", arn.error);
    else config.invoke = parseInvokeOptions(fields, arn.arn!, configuredRegion(authorization));
  } else {
    fields.checkTargets(Targets.Url, "only applies when function_uri is a Lambda function ARN");
    if (uriText.length > 0) {
      const uri = parseFunctionUri(uriText);
      if (uri.uri == null) fields.fail("function_uri", uri.error);
      else config.functionUri = uri.uri!;
    }
  }
  const invoke = config.invoke;
  if (invoke != null) {
    // The Invoke API endpoint stands in for a URL: its host is the authority, default upstream and scope.
    config.functionUri.scheme = "https";
    config.functionUri.host = invoke.host;
  }
  parsePathPrefix(fields, config);
  parseUpstream(fields, config);
  if (authorization != null) {
    parseApiKey(authorization, env, config);
    const iam = authorization.object(AUTHORIZATION_IAM);
    if (iam != null) config.iam = parseIam(iam, config.functionUri.host, env);
    authorization.finish();
  }
  if (invoke != null) {
    checkInvokeAuthorization(fields, config);
    fields.checkTargets(Targets.Invoke, "does not apply to the Invoke API (function_uri is a Lambda function ARN)");
  }
  config.timeoutMs = fields.integer(TIMEOUT);
  config.sslVerify = fields.boolean(SSL_VERIFY);
  config.keepalive = fields.boolean(KEEPALIVE);
  config.keepalivePool = fields.integer(KEEPALIVE_POOL);
  config.keepaliveTimeoutMs = fields.integer(KEEPALIVE_TIMEOUT);
  config.maxReqBodySize = fields.integer(MAX_REQ_BODY_SIZE);
  config.responseStream = fields.boolean(RESPONSE_STREAM);
  if (config.responseStream && invoke != null && invoke.asynchronous) {
    fields.fail("response_stream", "needs invocation_type \"RequestResponse\": an asynchronous invocation returns no stream");
  }
  fields.finish();
  if (report.found) return new ConfigResult(null, report.first);
  config.settings = report.settings;
  return new ConfigResult(config, "");
}
