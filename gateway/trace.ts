// `--trace`: each callout the filter made, as it left the VM — method, path, headers and body size — with
// every secret redacted: the signature and access key of `authorization`, x-amz-security-token, x-api-key,
// metadata tokens, and any value that holds a secret of the config or of the AWS_* environment.
import type { Callout } from "../emulator/index.ts";

const REDACTED = "<redacted>";
/** Headers whose whole value is a credential. */
const SECRET_HEADERS = new Set(["x-amz-security-token", "x-api-key", "x-aws-ec2-metadata-token"]);
/** AWS_* variables that hold no secret: everything else is redacted wherever it appears. */
const PUBLIC_VARIABLES = new Set(["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]);

/** The secret values of an environment: every AWS_* value but the public ones, and the named API key variable. */
export function environmentSecrets(env: Record<string, string>, apiKeyVariable?: string): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value.length > 0 && ((name.startsWith("AWS_") && !PUBLIC_VARIABLES.has(name)) || name === apiKeyVariable))
    .map(([, value]) => value);
}

/** `authorization` keeps its shape (scheme, scope, signed headers) without the access key and signature. */
function redactAuthorization(value: string): string {
  if (!value.startsWith("AWS4-")) return REDACTED;
  return value.replace(/Credential=[^/,\s]+/, `Credential=${REDACTED}`).replace(/Signature=[0-9a-fA-F]+/, `Signature=${REDACTED}`);
}

/** A header value with its secrets redacted. */
export function redactHeader(name: string, value: string, secrets: string[]): string {
  if (name === "authorization") return redactAuthorization(value);
  if (SECRET_HEADERS.has(name)) return REDACTED;
  let out = value;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}

/** The trace lines of one callout; `route` says where it went. */
export function traceLines(callout: Callout, route: string, secrets: string[]): string[] {
  const pseudo = (name: string) => callout.headers.find(([k]) => k === name)?.[1] ?? "";
  const path = redactHeader(":path", pseudo(":path"), secrets);
  const lines = [`callout to "${callout.upstream}" (${route}): ${pseudo(":method")} ${path}, body ${callout.body.length} bytes, timeout ${callout.timeoutMs} ms`];
  for (const [name, value] of callout.headers) {
    if (name === ":method" || name === ":path") continue;
    lines.push(`    ${name}: ${redactHeader(name.toLowerCase(), value, secrets)}`);
  }
  return lines;
}
