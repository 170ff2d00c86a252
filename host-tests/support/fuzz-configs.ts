// Generators of plugin configurations: valid ones with the model of what their callouts must look like,
// mutations of them (object- and text-level), random JSON, and hostile documents (deep nesting, huge or
// non-integer numbers, duplicate keys, bad escapes, invalid UTF-8, megabyte strings, empty input).
import fc from "fast-check";
import { SecretSet, type CalloutModel } from "./fuzz-checks.ts";
import type { Profile } from "../../emulator/index.ts";
import { ENV_CREDENTIALS, RAW_MARKERS } from "./fuzz-host.ts";

/** Secrets used by generated configs (long and random-looking, so a hit is never a coincidence). */
export const SECRETS = {
  secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYFUZZSECRETKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEFUZZTOKENmFIEhUWw3ZxcH1Nbr9",
  apiKey: "apikeyFUZZ0123456789abcdefABCDEF",
  accessKey: "AKIAFUZZEXAMPLE7Q2M",
};

/** The secrets above and the environment's, as a fresh set (signing keys are added as callouts reveal their scope). */
export function configSecrets(): SecretSet {
  const secrets = new SecretSet();
  secrets.addText("secret key", SECRETS.secretKey);
  secrets.addText("session token", SECRETS.sessionToken);
  secrets.addText("API key", SECRETS.apiKey);
  secrets.addText("environment secret key", ENV_CREDENTIALS.AWS_SECRET_ACCESS_KEY);
  secrets.addText("environment session token", ENV_CREDENTIALS.AWS_SESSION_TOKEN);
  return secrets;
}

/** A valid configuration and the model of its callouts. */
export interface ModelledConfig {
  json: Record<string, unknown>;
  model: CalloutModel & { prefix?: string; maxBody: number };
}

const HOSTS = [
  "abc123defg.execute-api.us-west-2.amazonaws.com", "xyz789.lambda-url.eu-central-1.on.aws", "example.com",
  "EXAMPLE.Com", "127.0.0.1", "[::1]", "fn.internal", "a-b_c.d",
];
const BASE_PATHS = ["", "/", "/stage", "/stage/", "/default/test-apisix", "/a%20b/c", "/v1//fn", "/~x/y.z"];
const PREFIXES = [undefined, "/", "/aws", "/aws/", "/a/b", "/aws//"];

function normalizedPrefix(prefix: string | undefined): string | undefined {
  if (prefix === undefined) return undefined;
  let p = prefix;
  while (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  return p === "/" ? "" : p;
}

type Auth = "none" | "apikey" | "iam" | "iam+token" | "iam-env" | "apikey+iam";

/** Envoy cluster names (any name but "refused…" exists in the fuzz hosts) and one host:port. */
export const CLUSTER_UPSTREAMS = ["lambda_api", "outbound|443||fn.example.com", "refused:0"];
/** What APISIX's callouts connect to: host[:port] only (the filter refuses a cluster name there). */
const HOST_PORT_UPSTREAMS = ["127.0.0.1:8080", "fn.internal:8443", "[::1]:9000", "lambda.us-east-1.amazonaws.com", "LAMBDA-API.internal"];

/** Valid configurations on `profile` (every field's accepted forms there) with their callout model. */
export const validConfig = (profile: Profile): fc.Arbitrary<ModelledConfig> => fc.record({
  scheme: fc.constantFrom("http", "https", "HTTPS"),
  host: fc.constantFrom(...HOSTS),
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  basePath: fc.constantFrom(...BASE_PATHS),
  query: fc.constantFrom("", "?stage=blue", "?a=1&b=%20"),
  prefix: fc.constantFrom(...PREFIXES),
  upstream: fc.option(fc.constantFrom(...(profile === "envoy" ? [...CLUSTER_UPSTREAMS, "127.0.0.1:8080"] : HOST_PORT_UPSTREAMS)), { nil: undefined }),
  auth: fc.constantFrom<Auth>("none", "apikey", "iam", "iam+token", "iam-env", "apikey+iam"),
  region: fc.option(fc.constantFrom("us-east-1", "eu-west-3", "cn-north-1"), { nil: undefined }),
  service: fc.option(fc.constantFrom("lambda", "execute-api"), { nil: undefined }),
  timeout: fc.option(fc.integer({ min: 100, max: 120000 }), { nil: undefined }),
  maxBody: fc.option(fc.oneof(fc.integer({ min: 1, max: 2048 }), fc.constant(67108864)), { nil: undefined }),
  extras: fc.record({ ssl_verify: fc.boolean(), keepalive: fc.boolean(), keepalive_pool: fc.integer({ min: 1, max: 100 }),
    keepalive_timeout: fc.integer({ min: 1000, max: 600000 }) }, { requiredKeys: [] }),
}).map((r) => {
  const authority = r.host.toLowerCase() + (r.port !== undefined ? `:${r.port}` : "");
  const json: Record<string, unknown> = { function_uri: `${r.scheme}://${r.host}${r.port !== undefined ? `:${r.port}` : ""}${r.basePath}${r.query}` };
  if (r.prefix !== undefined) json.path_prefix = r.prefix;
  if (r.upstream !== undefined) json.upstream = r.upstream;
  const model: ModelledConfig["model"] = {
    scheme: r.scheme.toLowerCase(), authority, upstream: r.upstream ?? authority, basePath: r.basePath.replace(/\/+$/, ""),
    prefix: normalizedPrefix(r.prefix), maxBody: r.maxBody ?? 67108864,
  };
  const authorization: Record<string, unknown> = {};
  if (r.auth === "apikey" || r.auth === "apikey+iam") { authorization.apikey = SECRETS.apiKey; model.apiKey = SECRETS.apiKey; }
  if (r.auth.startsWith("iam") || r.auth === "apikey+iam") {
    const iam: Record<string, unknown> = {};
    if (r.auth === "iam-env") {
      model.iam = { accessKey: ENV_CREDENTIALS.AWS_ACCESS_KEY_ID, secretKey: ENV_CREDENTIALS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_CREDENTIALS.AWS_SESSION_TOKEN };
    } else {
      iam.accesskey = SECRETS.accessKey;
      iam.secretkey = SECRETS.secretKey;
      model.iam = { accessKey: SECRETS.accessKey, secretKey: SECRETS.secretKey };
      if (r.auth === "iam+token") { iam.session_token = SECRETS.sessionToken; model.iam.sessionToken = SECRETS.sessionToken; }
    }
    if (r.region !== undefined) iam.aws_region = r.region;
    if (r.service !== undefined) iam.service = r.service;
    authorization.iam = iam;
  }
  if (Object.keys(authorization).length > 0) json.authorization = authorization;
  if (r.timeout !== undefined) json.timeout = r.timeout;
  if (r.maxBody !== undefined) json.max_req_body_size = r.maxBody;
  Object.assign(json, r.extras);
  return { json, model };
});

/** JSON values that break a field: wrong types, bounds, numbers JSON allows but an i64 does not. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 99, 100, 1.5, 2147483648, 1073741825, 9007199254740993, -0, 1e300, "", " ", "x", [], {}),
  fc.string({ maxLength: 40 }), fc.double(), fc.integer(), fc.jsonValue({ maxDepth: 3 }),
);

const FIELD_NAMES = ["function_uri", "path_prefix", "upstream", "authorization", "apikey", "iam", "accesskey", "secretkey",
  "secret_key", "session_token", "aws_region", "service", "timeout", "ssl_verify", "keepalive", "keepalive_pool",
  "keepalive_timeout", "max_req_body_size", "Timeout", "function_uri ", "__proto__", "constructor"];

/** Replaces, removes or adds one member somewhere in a (copied) config object. */
const objectMutation = fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), op: fc.constantFrom("set", "delete", "add"),
  name: fc.constantFrom(...FIELD_NAMES), value: hostileValue });

function mutateObject(json: Record<string, unknown>, m: { path: number[]; op: string; name: string; value: unknown }): Record<string, unknown> {
  const copy = structuredClone(json);
  let node: Record<string, unknown> = copy;
  for (const step of m.path.slice(0, -1)) {
    const keys = Object.keys(node).filter((k) => node[k] !== null && typeof node[k] === "object" && !Array.isArray(node[k]));
    if (keys.length === 0) break;
    node = node[keys[step % keys.length]] as Record<string, unknown>;
  }
  const keys = Object.keys(node);
  const key = keys.length > 0 ? keys[m.path[m.path.length - 1] % keys.length] : m.name;
  if (m.op === "delete") delete node[key];
  else if (m.op === "set") node[key] = m.value;
  else Object.defineProperty(node, m.name, { value: m.value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Pieces spliced into config text: bad escapes, raw invalid UTF-8, control characters, structure. */
const TEXT_SPLICES = ["\\", "\\x41", "\\u12G4", "\\ud800", "\\udc00\\ud800", "\\u0000", "\"", "\u0000", "\n", "\t", "{", "}", "[", "]",
  ",", ":", "1e400", "-0", "01", "1.", ".5", "+1", "NaN", "Infinity", "\uFEFF", "\u2028", "é", "😀", "\ud800", ...RAW_MARKERS];

/** A text edit: splice a piece in, delete a run, or truncate. */
const textMutation = fc.record({ at: fc.nat(), op: fc.constantFrom("insert", "delete", "truncate", "duplicate-key"),
  piece: fc.constantFrom(...TEXT_SPLICES), length: fc.integer({ min: 1, max: 8 }) });

function mutateText(text: string, m: { at: number; op: string; piece: string; length: number }): string {
  const at = text.length === 0 ? 0 : m.at % (text.length + 1);
  if (m.op === "insert") return text.slice(0, at) + m.piece + text.slice(at);
  if (m.op === "delete") return text.slice(0, at) + text.slice(at + m.length);
  if (m.op === "truncate") return text.slice(0, at);
  // Repeat the first member (a duplicate key at the top level).
  const first = /^\{("(?:[^"\\]|\\.)*":(?:"(?:[^"\\]|\\.)*"|[^,{}[\]]*))/.exec(text);
  return first ? `{${first[1]},${text.slice(1)}` : text;
}

/** A config valid on Envoy whose upstream names a cluster: APISIX must refuse it at configure time. */
export const clusterUpstreamConfig: fc.Arbitrary<ModelledConfig> = validConfig("envoy")
  .filter((config) => CLUSTER_UPSTREAMS.includes(config.json.upstream as string));

/** A config valid on `profile` broken by a few object and text mutations. */
export const mutatedConfigText = (profile: Profile): fc.Arbitrary<string> => fc.tuple(validConfig(profile), fc.array(objectMutation, { maxLength: 3 }),
  fc.array(textMutation, { maxLength: 3 })).map(([config, objectEdits, textEdits]) => {
  let json = config.json;
  for (const edit of objectEdits) json = mutateObject(json, edit);
  let text = JSON.stringify(json);
  for (const edit of textEdits) text = mutateText(text, edit);
  return text;
});

/** Nesting of arrays and objects around a value, `depth` levels deep (the reader allows 32). */
function nested(depth: number, kind: "array" | "object", inner: string): string {
  return kind === "array" ? "[".repeat(depth) + inner + "]".repeat(depth) : '{"a":'.repeat(depth) + inner + "}".repeat(depth);
}

/** Hostile whole documents, each small enough to run thousands of times. */
export const hostileConfigText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? "null"),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", " ", "\n", "null", "true", "0", "\"x\"", "[]", "{}", "{", "}", "{\"function_uri\":}", "\uFEFF{}",
    "{\"function_uri\":\"https://a.b\"}x", "{\"function_uri\":\"https://a.b\",}", "{'function_uri':'https://a.b'}"),
  fc.tuple(fc.integer({ min: 30, max: 40 }), fc.constantFrom<"array" | "object">("array", "object"))
    .map(([depth, kind]) => `{"function_uri":"https://a.b","x":${nested(depth, kind, "1")}}`),
  fc.integer({ min: 1, max: 5000 }).map((depth) => "[".repeat(depth)),
  fc.constantFrom("1e400", "-1e400", "1e-400", "-0", "-0.0", "0e0", "3000.0", "3e3", "1E+3", "9007199254740993", "1" + "0".repeat(400),
    "0." + "0".repeat(400) + "1", "-9223372036854775809", "18446744073709551616", "2147483647", "2147483648", "1073741824")
    .chain((n) => fc.constantFrom("timeout", "max_req_body_size", "keepalive_pool", "keepalive_timeout")
      .map((field) => `{"function_uri":"https://a.b/fn","${field}":${n}}`)),
  fc.constantFrom("timeout", "function_uri", "authorization").map((k) =>
    `{"function_uri":"https://a.b/fn","${k}":${k === "authorization" ? "{}" : k === "timeout" ? "200" : "\"https://c.d\""},"${k}":1}`),
  fc.array(fc.constantFrom(...TEXT_SPLICES), { maxLength: 6 }).map((parts) => `{"function_uri":"https://a.b/${parts.join("")}"}`),
  fc.array(fc.constantFrom(...TEXT_SPLICES), { maxLength: 6 }).map((parts) => `{"function_uri":"https://a.b","upstream":"${parts.join("")}"}`),
);

/** Large documents (up to and past the 1 MiB limit): long strings, many members, many escapes. */
export function largeConfigTexts(): { label: string; text: string }[] {
  const mb = 1 << 20;
  const pad = (n: number) => "a".repeat(n);
  return [
    { label: "a string just under 1 MiB", text: `{"function_uri":"https://a.b/fn","upstream":"${pad(mb - 60)}"}` },
    { label: "a string past 1 MiB", text: `{"function_uri":"https://a.b/fn","upstream":"${pad(mb + 10)}"}` },
    { label: "1 MiB of escapes", text: `{"function_uri":"https://a.b/fn","upstream":"${"\\n".repeat((mb - 60) >> 1)}"}` },
    { label: "1 MiB of \\u escapes", text: `{"function_uri":"https://a.b/fn","upstream":"${"\\u0041".repeat((mb - 60) / 6 | 0)}"}` },
    { label: "a function_uri of slashes", text: `{"function_uri":"https://a.b${"/".repeat(mb - 60)}"}` },
    { label: "100k members", text: `{"function_uri":"https://a.b/fn",${Array.from({ length: 100000 }, (_, i) => `"k${i}":0`).join(",")}}` },
    { label: "a number of 1 MiB of digits", text: `{"function_uri":"https://a.b/fn","timeout":1${"0".repeat(mb - 60)}}` },
    { label: "a 100k-item array", text: `{"function_uri":"https://a.b/fn","x":[${"0,".repeat(100000)}0]}` },
  ];
}
