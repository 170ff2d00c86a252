// authorization.iam: the SigV4 scope (region, service) and where the credentials come from. Values that end
// up in headers or log lines are checked for control characters; endpoints must be plain http(s) URLs.
import { asciiLower } from "../kernel/ascii";
import { Credentials, SigningScope } from "../sigv4/credentials";
import { resolveScope } from "./aws-scope";
import { AssumeRoleSpec, CredentialKind, CredentialSource, Endpoint } from "./credential-source";
import {
  AUTHORIZATION_IAM_ACCESSKEY, AUTHORIZATION_IAM_ASSUME_ROLE, AUTHORIZATION_IAM_ASSUME_ROLE_DURATION_SECONDS,
  AUTHORIZATION_IAM_ASSUME_ROLE_EXTERNAL_ID, AUTHORIZATION_IAM_ASSUME_ROLE_ROLE_ARN, AUTHORIZATION_IAM_ASSUME_ROLE_SESSION_NAME,
  AUTHORIZATION_IAM_ASSUME_ROLE_STS_ENDPOINT, AUTHORIZATION_IAM_ASSUME_ROLE_STS_UPSTREAM, AUTHORIZATION_IAM_AWS_REGION,
  AUTHORIZATION_IAM_CONTAINER_ENDPOINT, AUTHORIZATION_IAM_CONTAINER_UPSTREAM, AUTHORIZATION_IAM_CREDENTIALS,
  AUTHORIZATION_IAM_IMDS_ENDPOINT, AUTHORIZATION_IAM_IMDS_UPSTREAM, AUTHORIZATION_IAM_IMDS_VERSION,
  AUTHORIZATION_IAM_SECRET_KEY, AUTHORIZATION_IAM_SECRETKEY, AUTHORIZATION_IAM_SERVICE, AUTHORIZATION_IAM_SESSION_TOKEN,
} from "./fields";
import { FunctionUri, parseFunctionUri } from "./function-uri";
import { Fields } from "./reader";
import { checkPrintable, checkScopeName, checkUpstream } from "./value-checks";

/** ECS's link-local credentials host, which AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is relative to. */
const ECS_CREDENTIALS_HOST = "http://169.254.170.2";
const DEFAULT_IMDS = "http://169.254.169.254";

/** SigV4 credentials and scope. */
export class IamConfig {
  source: CredentialSource = new CredentialSource();
  scope: SigningScope = new SigningScope("", "");
  /** Where region and service came from ("config", "endpoint", …), for the configure log line. */
  scopeSource: string = "";
}

function variable(env: Map<string, string>, name: string): string {
  return env.has(name) ? env.get(name) : "";
}

/**
 * Plain http may only reach the hosts AWS serves container credentials from (loopback, ECS and EKS Pod
 * Identity's link-local addresses), as the SDKs require: the request carries the container's token.
 */
function isContainerHttpHost(host: string): bool {
  return host == "localhost" || isLoopbackV4(host) || host == "[::1]" || host == "169.254.170.2"
    || host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

/** 127.x.y.z, written as four decimal octets (not a name that merely starts with "127."). */
function isLoopbackV4(host: string): bool {
  const parts = host.split(".");
  if (parts.length != 4 || parts[0] != "127") return false;
  for (let i = 1; i < 4; i++) {
    const part = parts[i];
    if (part.length == 0 || part.length > 3) return false;
    for (let k = 0; k < part.length; k++) if (part.charCodeAt(k) < 0x30 || part.charCodeAt(k) > 0x39) return false;
    if (I32.parseInt(part) > 255) return false;
  }
  return true;
}

/** An endpoint URL from the config (`field`) or a variable (`what`), or null after reporting why not. */
function endpointUri(iam: Fields, field: string, what: string, text: string): FunctionUri | null {
  const parsed = parseFunctionUri(text);
  const uri = parsed.uri;
  if (uri == null) {
    iam.fail(field, what + " " + parsed.error);
    return null;
  }
  if (uri.query.length > 0) {
    iam.fail(field, what + " must not have a query");
    return null;
  }
  return uri;
}

function endpoint(uri: FunctionUri, upstream: string): Endpoint {
  return new Endpoint(uri, upstream.length > 0 ? upstream : uri.authority);
}

/** container_endpoint, checked whenever it is given; null when absent or refused. */
function configuredContainerUri(iam: Fields): FunctionUri | null {
  const text = iam.string(AUTHORIZATION_IAM_CONTAINER_ENDPOINT);
  return text.length == 0 ? null : containerUri(iam, "container_endpoint", text);
}

function containerUri(iam: Fields, what: string, text: string): FunctionUri | null {
  const uri = endpointUri(iam, "container_endpoint", what, text);
  if (uri == null) return null;
  if (uri.scheme == "http" && !isContainerHttpHost(uri.host)) {
    iam.fail("container_endpoint", what + " may use plain http only to loopback, 169.254.170.2 or 169.254.170.23");
    return null;
  }
  return uri;
}

function containerSource(iam: Fields, env: Map<string, string>, source: CredentialSource, configured: FunctionUri | null): void {
  let uri = configured;
  if (uri == null && !iam.has(AUTHORIZATION_IAM_CONTAINER_ENDPOINT)) {
    // The SDKs' order: the relative URI (ECS) before the full one.
    const relative = variable(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const full = variable(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (relative.length > 0) {
      if (!relative.startsWith("/")) { iam.fail("credentials", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with \"/\""); return; }
      uri = containerUri(iam, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ECS_CREDENTIALS_HOST + relative);
    } else if (full.length > 0) {
      uri = containerUri(iam, "AWS_CONTAINER_CREDENTIALS_FULL_URI", full);
    } else {
      iam.fail("credentials", "\"container\" needs container_endpoint, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or "
        + "AWS_CONTAINER_CREDENTIALS_FULL_URI");
      return;
    }
  }
  if (uri == null) return;
  const token = variable(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  checkPrintable(iam, "credentials", token, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  source.containerToken = token;
  source.endpoint = endpoint(uri, iam.string(AUTHORIZATION_IAM_CONTAINER_UPSTREAM));
}

/** imds_endpoint, checked whenever it is given; null when absent or refused. */
function configuredImdsUri(iam: Fields): FunctionUri | null {
  const text = iam.string(AUTHORIZATION_IAM_IMDS_ENDPOINT);
  return text.length == 0 ? null : endpointUri(iam, "imds_endpoint", "imds_endpoint", text);
}

function instanceSource(iam: Fields, env: Map<string, string>, source: CredentialSource, configured: FunctionUri | null): void {
  let uri = configured;
  if (uri == null && !iam.has(AUTHORIZATION_IAM_IMDS_ENDPOINT)) {
    const variableEndpoint = variable(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    uri = variableEndpoint.length > 0
      ? endpointUri(iam, "imds_endpoint", "AWS_EC2_METADATA_SERVICE_ENDPOINT", variableEndpoint)
      : endpointUri(iam, "imds_endpoint", "the default", DEFAULT_IMDS);
  }
  if (uri == null) return;
  source.endpoint = endpoint(uri, iam.string(AUTHORIZATION_IAM_IMDS_UPSTREAM));
}

function hasEnvironmentKeys(env: Map<string, string>): bool {
  return variable(env, "AWS_ACCESS_KEY_ID").length > 0 && variable(env, "AWS_SECRET_ACCESS_KEY").length > 0;
}

function environmentSource(iam: Fields, env: Map<string, string>, source: CredentialSource): void {
  const missing = new Array<string>();
  if (variable(env, "AWS_ACCESS_KEY_ID").length == 0) missing.push("AWS_ACCESS_KEY_ID");
  if (variable(env, "AWS_SECRET_ACCESS_KEY").length == 0) missing.push("AWS_SECRET_ACCESS_KEY");
  if (missing.length > 0) {
    iam.failHere("credentials \"environment\": " + missing.join(", ") + " missing from the VM environment");
    return;
  }
  const keys = new Credentials(variable(env, "AWS_ACCESS_KEY_ID"), variable(env, "AWS_SECRET_ACCESS_KEY"),
    variable(env, "AWS_SESSION_TOKEN"));
  checkPrintable(iam, "credentials", keys.accessKeyId + keys.secretAccessKey + keys.sessionToken, "AWS_* credentials");
  source.fixed = keys;
}

/** The first source the environment sets up: environment keys, a container endpoint, instance metadata. */
function chainKind(iam: Fields, env: Map<string, string>): CredentialKind {
  if (hasEnvironmentKeys(env)) return CredentialKind.Environment;
  if (iam.has(AUTHORIZATION_IAM_CONTAINER_ENDPOINT) || variable(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").length > 0
    || variable(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI").length > 0) return CredentialKind.Container;
  return CredentialKind.Instance;
}

function assumeRole(iam: Fields, region: string): AssumeRoleSpec | null {
  const fields = iam.object(AUTHORIZATION_IAM_ASSUME_ROLE);
  if (fields == null) return null;
  const spec = new AssumeRoleSpec();
  spec.roleArn = fields.string(AUTHORIZATION_IAM_ASSUME_ROLE_ROLE_ARN);
  if (spec.roleArn.length > 0 && !isRoleArn(spec.roleArn)) {
    fields.fail("role_arn", "must be arn:<partition>:iam::<12-digit account>:role/<name>");
  }
  spec.externalId = fields.string(AUTHORIZATION_IAM_ASSUME_ROLE_EXTERNAL_ID);
  if (spec.externalId.length > 0 && !isStsToken(spec.externalId, 2, 1224, ":/")) {
    fields.fail("external_id", "must be 2-1224 letters, digits or _+=,.@:/-");
  }
  spec.sessionName = fields.string(AUTHORIZATION_IAM_ASSUME_ROLE_SESSION_NAME);
  if (!isStsToken(spec.sessionName, 2, 64, "")) fields.fail("session_name", "must be 2-64 letters, digits or _+=,.@-");
  spec.durationSeconds = <i32>fields.integer(AUTHORIZATION_IAM_ASSUME_ROLE_DURATION_SECONDS);
  const given = fields.string(AUTHORIZATION_IAM_ASSUME_ROLE_STS_ENDPOINT);
  // The regional endpoint of the function's region; China regions have their own DNS suffix.
  const text = given.length > 0 ? given
    : "https://sts." + region + ".amazonaws.com" + (region.startsWith("cn-") ? ".cn" : "");
  const uri = endpointUri(fields, "sts_endpoint", "sts_endpoint", text);
  const upstream = fields.string(AUTHORIZATION_IAM_ASSUME_ROLE_STS_UPSTREAM);
  checkUpstream(fields, "sts_upstream", upstream);
  fields.finish();
  if (uri == null) return spec;
  spec.sts = endpoint(uri, upstream);
  spec.region = stsRegion(uri.host, region);
  return spec;
}

/** sts.<region>.amazonaws.com[.cn] signs for <region>, the global sts.amazonaws.com for us-east-1. */
function stsRegion(host: string, fallback: string): string {
  if (host == "sts.amazonaws.com") return "us-east-1";
  const labels = host.split(".");
  if (labels.length >= 4 && labels[0] == "sts" && labels[2] == "amazonaws") return labels[1];
  return fallback;
}

function isStsToken(text: string, min: i32, max: i32, extra: string): bool {
  if (text.length < min || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) continue;
    if ("_+=,.@-".indexOf(String.fromCharCode(c)) < 0 && extra.indexOf(String.fromCharCode(c)) < 0) return false;
  }
  return true;
}

function isRoleArn(text: string): bool {
  const parts = text.split(":");
  if (parts.length != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3].length != 0) return false;
  if (parts[1] != "aws" && parts[1] != "aws-cn" && parts[1] != "aws-us-gov") return false;
  const account = parts[4];
  if (account.length != 12) return false;
  for (let i = 0; i < 12; i++) if (account.charCodeAt(i) < 0x30 || account.charCodeAt(i) > 0x39) return false;
  const resource = parts[5];
  return resource.startsWith("role/") && resource.length > 5 && resource.length <= 2005 && isStsToken(resource.substring(5), 1, 2000, "/");
}

/** Keys written in the config: static credentials, and only with them. */
function configuredKeys(iam: Fields): Credentials {
  const accessKey = iam.string(AUTHORIZATION_IAM_ACCESSKEY);
  const secretkey = iam.string(AUTHORIZATION_IAM_SECRETKEY);
  // APISIX's source reads `secretkey`; its docs table says `secret_key`: accept both, not both at once.
  const secret_key = iam.string(AUTHORIZATION_IAM_SECRET_KEY);
  if (secretkey.length > 0 && secret_key.length > 0) iam.failHere("use either \"secretkey\" or \"secret_key\", not both");
  const secretKey = secretkey.length > 0 ? secretkey : secret_key;
  const sessionToken = iam.string(AUTHORIZATION_IAM_SESSION_TOKEN);
  checkPrintable(iam, "accesskey", accessKey, "");
  checkPrintable(iam, secretkey.length > 0 ? "secretkey" : "secret_key", secretKey, "");
  checkPrintable(iam, "session_token", sessionToken, "");
  return new Credentials(accessKey, secretKey, sessionToken);
}

/** Reads authorization.iam for a function on `host`; `env` is the VM's environment. */
export function parseIam(iam: Fields, host: string, env: Map<string, string>): IamConfig {
  const result = new IamConfig();
  const keys = configuredKeys(iam);
  const region = iam.string(AUTHORIZATION_IAM_AWS_REGION);
  const service = iam.string(AUTHORIZATION_IAM_SERVICE);
  checkScopeName(iam, "aws_region", region);
  checkScopeName(iam, "service", service);
  const scope = resolveScope(host, region, service);
  result.scope = new SigningScope(scope.region, scope.service);
  result.scopeSource = scope.source;

  const given = keys.accessKeyId.length > 0 || keys.secretAccessKey.length > 0 || keys.sessionToken.length > 0;
  let kind = iam.choice(AUTHORIZATION_IAM_CREDENTIALS);
  if (kind.length == 0) kind = given ? "static" : "chain";
  const source = result.source;
  if (kind == "static") {
    if (keys.accessKeyId.length == 0) iam.failHere("property \"accesskey\" is required");
    else if (keys.secretAccessKey.length == 0) iam.failHere("property \"secretkey\" is required");
    source.fixed = keys;
  } else if (given) {
    iam.fail("credentials", "\"" + kind + "\" takes no accesskey, secretkey or session_token (those are \"static\" credentials)");
  }
  if (kind == "chain") {
    source.chosenByChain = true;
    source.kind = chainKind(iam, env);
  } else if (kind == "environment") source.kind = CredentialKind.Environment;
  else if (kind == "container") source.kind = CredentialKind.Container;
  else if (kind == "instance") source.kind = CredentialKind.Instance;

  // The refusal names the field that was given.
  const containerField = iam.has(AUTHORIZATION_IAM_CONTAINER_ENDPOINT) ? "container_endpoint"
    : iam.has(AUTHORIZATION_IAM_CONTAINER_UPSTREAM) ? "container_upstream" : "";
  const instanceField = iam.has(AUTHORIZATION_IAM_IMDS_ENDPOINT) ? "imds_endpoint" : iam.has(AUTHORIZATION_IAM_IMDS_UPSTREAM)
    ? "imds_upstream" : iam.has(AUTHORIZATION_IAM_IMDS_VERSION) ? "imds_version" : "";
  if (containerField.length > 0 && kind != "container" && kind != "chain") {
    iam.fail(containerField, "only applies with credentials \"container\" or \"chain\"");
  }
  if (instanceField.length > 0 && kind != "instance" && kind != "chain") {
    iam.fail(instanceField, "only applies with credentials \"instance\" or \"chain\"");
  }
  checkUpstream(iam, "container_upstream", iam.string(AUTHORIZATION_IAM_CONTAINER_UPSTREAM));
  checkUpstream(iam, "imds_upstream", iam.string(AUTHORIZATION_IAM_IMDS_UPSTREAM));
  source.imdsV1 = iam.choice(AUTHORIZATION_IAM_IMDS_VERSION) == "v1";
  const containerUri = configuredContainerUri(iam);
  const imdsUri = configuredImdsUri(iam);
  if (source.kind == CredentialKind.Environment && kind != "static") environmentSource(iam, env, source);
  else if (source.kind == CredentialKind.Container) containerSource(iam, env, source, containerUri);
  else if (source.kind == CredentialKind.Instance) {
    if (asciiLower(variable(env, "AWS_EC2_METADATA_DISABLED")) == "true") {
      iam.failHere("no credentials: " + (kind == "chain" ? "no AWS_* keys or container endpoint in the VM environment, and " : "")
        + "AWS_EC2_METADATA_DISABLED is true");
    } else {
      instanceSource(iam, env, source, imdsUri);
    }
  }
  source.assumeRole = assumeRole(iam, scope.region);
  iam.finish();
  return result;
}
