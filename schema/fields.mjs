// The plugin configuration, declared once: every field with its type, default, bounds and the targets it
// applies to. `npm run schema` turns this into the filter's field table (assembly/config/fields.ts) and the
// published JSON Schema (schema/aws-lambda.schema.json); the CLI reads it directly. A test checks that both
// generated files are up to date and that the JSON Schema accepts and refuses what the filter does.
//
// Per field:
//   name, type ("string" | "integer" | "boolean" | "object" | "array"), description
//   default            the value when absent (absent: none)
//   required           must be present (in its object)
//   minimum, maximum   integers
//   enum               strings
//   pattern            strings: what the filter's own check accepts, as a JSON Schema regex (ECMA-262)
//   targets            ["url"], ["invoke"] or both (default): where the field applies; elsewhere it is refused
//   modes              ["callout"], ["proxy"] or both (default): the forwarding modes it applies to
//   host_enforced      Envoy's cluster / APISIX's runtime enforces it, not the filter (logged when not default)
//   secret             never logged, never rendered in clear by default
//   fields             objects: their members; items: arrays' item declaration; minItems, maxItems

const I32_MAX = 2147483647;
/** Printable: what may end up in a header or a log line (no control characters). */
const PRINTABLE = "^[^\\u0000-\\u001f\\u007f]+$";
/** Regions and service names as AWS spells them. */
const SCOPE_NAME = "^[a-z0-9-]+$";
/** An environment variable name as POSIX shells write it. */
const ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]*$";
const FUNCTION_NAME = "^[A-Za-z0-9_-]{1,64}$";
const QUALIFIER = "^(?:\\$LATEST|[A-Za-z0-9_-]{1,128})$";
/** An http(s) URL of a credentials endpoint (assembly/config/endpoint-url.ts): no credentials, query or fragment. */
const ENDPOINT_URL = "^[hH][tT][tT][pP][sS]?://(?:[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\])"
  + "(?::(?!0+(?:/|$))(?:[0-9]{1,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
  + "(?:/[A-Za-z0-9\\-._~!$&'()*+,;=:@/%]*)?$";
/** An IAM role ARN: arn:<partition>:iam::<account>:role/<path/>name (assembly/config/assume-role.ts). */
const ROLE_ARN = "^arn:(?:aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,2000}$";

/** function_uri as a URL, exactly as assembly/config/function-uri.ts accepts it. */
const URL_PATTERN = "^[hH][tT][tT][pP][sS]?://(?:[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\])"
  + "(?::(?!0+(?:[/?]|$))(?:[0-9]{1,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
  + "(?:[/?][A-Za-z0-9\\-._~!$&'()*+,;=:@/%?]*)?$";
/** function_uri as a Lambda function ARN, full or partial (assembly/config/lambda-arn.ts). */
const ARN_PATTERN = "^(?:arn:(?:aws|aws-cn|aws-us-gov):lambda:[A-Za-z0-9-]+:)?[0-9]{12}:function:[A-Za-z0-9_-]{1,64}"
  + "(?::(?:\\$LATEST|[A-Za-z0-9_-]{1,128}))?$";
/** What makes the filter read function_uri as an ARN (looksLikeArn): then ARN rules apply. */
export const LOOKS_LIKE_ARN = "^(?:arn:|[\\s\\S]{12}:function:)";
/** An ARN that names its qualifier (then `qualifiers` is refused). */
export const QUALIFIED_ARN = "^(?:arn:[^:]*:[^:]*:[^:]*:)?[^:]*:function:[^:]*:";

const KEYS = ["accesskey", "secretkey", "secret_key", "session_token"];
const anyOfRequired = (names) => ({ anyOf: names.map((name) => ({ required: [name] })) });
const HTTP_CONTAINER_HOST = "^[hH][tT][tT][pP]://(?:localhost|127\\.(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]{1,2})"
  + "(?:\\.(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]{1,2})){2}|\\[::1\\]|169\\.254\\.170\\.23?|\\[[fF][dD]00:[eE][cC]2::23\\])(?:[:/]|$)";

/**
 * Rules across the members of authorization.iam, as JSON Schema (assembly/config/iam.ts implements them).
 * Keys in the config are static credentials and only those; endpoint settings apply to their own source.
 * What depends on the VM environment (AWS_* variables) is not stated: the schema cannot see it.
 */
export const IAM_RULES = [
  { dependencies: { session_token: ["accesskey"] } },
  { if: anyOfRequired(KEYS), then: { properties: { credentials: { type: "string", const: "static" } } } },
  { if: { properties: { credentials: { type: "string", const: "static" } }, required: ["credentials"] }, then: { required: ["accesskey"] } },
  { if: anyOfRequired(["container_endpoint", "container_upstream"]),
    then: { not: anyOfRequired(KEYS), properties: { credentials: { type: "string", enum: ["container", "chain"] } } } },
  { if: anyOfRequired(["imds_endpoint", "imds_upstream", "imds_version"]),
    then: { not: anyOfRequired(KEYS), properties: { credentials: { type: "string", enum: ["instance", "chain"] } } } },
  // Plain http carries the container's token only to loopback and AWS's link-local credential hosts.
  { properties: { container_endpoint: { type: "string", anyOf: [{ pattern: "^[hH][tT][tT][pP][sS]://" }, { pattern: HTTP_CONTAINER_HOST }] } } },
];

/** Rules across top-level members, as JSON Schema (assembly/config/config.ts implements them). */
export const ROOT_RULES = [
  { if: { properties: { response_stream: { type: "boolean", const: true } }, required: ["response_stream"] },
    then: { properties: { invocation_type: { type: "string", const: "RequestResponse" } } } },
];

export const FIELDS = [
  { name: "function_uri", type: "string", required: true, anyPattern: [URL_PATTERN, ARN_PATTERN],
    description: "API Gateway stage, Lambda Function URL or any http(s) endpoint; or a Lambda function ARN (full or partial) for the Invoke API" },
  { name: "mode", type: "string", enum: ["callout", "proxy"], default: "callout",
    description: "callout: the filter calls the function and answers with a local reply; proxy: it signs the request in place and the route's upstream carries it, so responses stream" },
  { name: "path_prefix", type: "string", pattern: "^/[^?#*]*$",
    description: "the route prefix; the rest of the request path is joined onto function_uri's path (a request outside it gets 404)" },
  { name: "upstream", type: "string", pattern: "^[^\\u0000-\\u0020\\u007f]+$", modes: ["callout"],
    description: "the callout target: an Envoy cluster name, or host[:port] on APISIX (default: function_uri's host[:port])" },
  { name: "authorization", type: "object", description: "how the filter authenticates to the function", fields: [
    { name: "apikey", type: "string", pattern: PRINTABLE, secret: true, targets: ["url"],
      description: "sent as x-api-key, replacing the client's" },
    { name: "apikey_env", type: "string", pattern: ENV_NAME, targets: ["url"],
      description: "the VM environment variable holding the API key (instead of apikey, not with it), so the config carries no secret" },
    { name: "iam", type: "object", description: "SigV4 signing (keys from the config, else AWS_* variables of the VM environment)", fields: [
      { name: "accesskey", type: "string", pattern: PRINTABLE, secret: true, description: "access key id" },
      { name: "secretkey", type: "string", pattern: PRINTABLE, secret: true, description: "secret access key" },
      { name: "secret_key", type: "string", pattern: PRINTABLE, secret: true, description: "secretkey, as APISIX's docs spell it (not both)" },
      { name: "session_token", type: "string", pattern: PRINTABLE, secret: true, description: "session token of temporary credentials" },
      { name: "aws_region", type: "string", pattern: SCOPE_NAME, description: "SigV4 region (default: from the endpoint host, else us-east-1)" },
      { name: "service", type: "string", pattern: SCOPE_NAME, description: "SigV4 service (default: from the endpoint host, else execute-api)" },
      { name: "credentials", type: "string", enum: ["static", "environment", "container", "instance", "chain"],
        description: "where credentials come from (default: static when keys are given, else chain: environment, then container, then instance)" },
      { name: "container_endpoint", type: "string", pattern: ENDPOINT_URL,
        description: "container credentials URL (default: AWS_CONTAINER_CREDENTIALS_FULL_URI, or http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)" },
      { name: "container_upstream", type: "string", pattern: "^[^\\u0000-\\u0020\\u007f]+$",
        description: "callout target for the container endpoint (default: its host[:port])" },
      { name: "imds_endpoint", type: "string", pattern: ENDPOINT_URL,
        description: "EC2 instance metadata URL (default: AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254)" },
      { name: "imds_upstream", type: "string", pattern: "^[^\\u0000-\\u0020\\u007f]+$",
        description: "callout target for instance metadata (default: its host[:port])" },
      { name: "imds_version", type: "string", enum: ["v2", "v1"], default: "v2",
        description: "v2: session token first (PUT /latest/api/token); v1 only when asked for, never as a fallback" },
      { name: "assume_role", type: "object", description: "STS AssumeRole signed with the credentials above, for cross-account functions", fields: [
        { name: "role_arn", type: "string", required: true, pattern: ROLE_ARN, description: "the role to assume" },
        { name: "external_id", type: "string", pattern: "^[A-Za-z0-9_+=,.@:/-]{2,1224}$", description: "the role's external id" },
        { name: "session_name", type: "string", pattern: "^[A-Za-z0-9_+=,.@-]{2,64}$", default: "aws-lambda-wasm",
          description: "role session name" },
        { name: "duration_seconds", type: "integer", default: 3600, minimum: 900, maximum: 43200,
          description: "lifetime of the assumed credentials" },
        { name: "sts_endpoint", type: "string", pattern: ENDPOINT_URL,
          description: "STS URL (default: https://sts.<region>.amazonaws.com)" },
        { name: "sts_upstream", type: "string", pattern: "^[^\\u0000-\\u0020\\u007f]+$",
          description: "callout target for STS (default: its host[:port])" },
      ] },
    ] },
  ] },
  { name: "timeout", type: "integer", default: 3000, minimum: 100, maximum: I32_MAX, modes: ["callout"],
    description: "callout timeout (ms); in proxy mode the route's timeout applies" },
  { name: "ssl_verify", type: "boolean", default: true, host_enforced: true, description: "TLS verification of the function" },
  { name: "keepalive", type: "boolean", default: true, host_enforced: true, description: "connection reuse" },
  { name: "keepalive_pool", type: "integer", default: 5, minimum: 1, maximum: I32_MAX, host_enforced: true, description: "connections kept" },
  { name: "keepalive_timeout", type: "integer", default: 60000, minimum: 1000, maximum: I32_MAX, host_enforced: true,
    description: "idle timeout of kept connections (ms)" },
  { name: "max_req_body_size", type: "integer", default: 67108864, minimum: 1, maximum: 536870912,
    description: "larger request bodies are answered 413 (bytes)" },
  { name: "event_format", type: "string", enum: ["api_gateway_v2", "api_gateway_v1", "passthrough"], default: "api_gateway_v2",
    targets: ["invoke"], description: "the event the function receives" },
  { name: "unwrap_response", type: "boolean", default: true, targets: ["invoke"],
    description: "read the reply as a proxy-integration response (default false with event_format passthrough)" },
  { name: "invocation_type", type: "string", enum: ["RequestResponse", "Event"], default: "RequestResponse", targets: ["invoke"],
    description: "Event: asynchronous, answered 202" },
  { name: "function_error_status", type: "integer", default: 502, minimum: 400, maximum: 599, targets: ["invoke"],
    description: "status for a function error" },
  { name: "max_retries", type: "integer", default: 0, minimum: 0, maximum: 5, targets: ["invoke"], modes: ["callout"],
    description: "repeats of a throttled or failed idempotent invocation (callout mode: in proxy mode the route carries the one attempt)" },
  { name: "response_stream", type: "boolean", default: false, targets: ["invoke"], modes: ["proxy"],
    description: "InvokeWithResponseStream: the function's output reaches the client as it is written" },
  { name: "allowed_functions", type: "array", minItems: 1, targets: ["invoke"],
    items: { type: "string", pattern: FUNCTION_NAME }, description: "functions the first path segment may name" },
  { name: "qualifiers", type: "array", minItems: 1, maxItems: 64, targets: ["invoke"],
    description: "weighted choice of version or alias per request",
    items: { type: "object", fields: [
      { name: "name", type: "string", required: true, pattern: QUALIFIER, description: "version, alias or $LATEST" },
      { name: "weight", type: "integer", default: 1, minimum: 0, maximum: 1000000, description: "relative weight" },
    ] } },
];

/** The declaration of a field by dotted path ("authorization.iam.aws_region"), or undefined. */
export function fieldAt(path, fields = FIELDS) {
  const [head, ...rest] = path.split(".");
  const field = fields.find((f) => f.name === head);
  if (!field || rest.length === 0) return field;
  return fieldAt(rest.join("."), field.fields ?? field.items?.fields ?? []);
}

/** Default of a top-level field (or dotted path). */
export function defaultOf(path) {
  return fieldAt(path)?.default;
}
