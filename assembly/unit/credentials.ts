// Unit-test entry for the credential pieces that need no host: reading credential documents and STS
// answers, the two time formats, when to refresh, and how a 403 reads.
import { Header } from "../http/header";
import { FetchedKeys, readAssumeRoleAnswer, readCredentialsDocument, stsErrorCode } from "../credentials/documents";
import { refreshTime } from "../credentials/fetched-provider";
import { parseHttpDate, parseIsoUtc } from "../credentials/time-formats";
import { AuthRefusal, signatureRefusal } from "../filter/auth-refusals";
import { JsonWriter } from "../util/json-writer";

function keysJson(keys: FetchedKeys): string {
  const json = new JsonWriter().beginObject();
  if (keys.error.length > 0) return json.key("error").string(keys.error).endObject().toString();
  const c = keys.credentials;
  return json.key("accessKeyId").string(c.accessKeyId).key("secretAccessKey").string(c.secretAccessKey)
    .key("sessionToken").string(c.sessionToken).key("expiration").integer(keys.expirationMillis).endObject().toString();
}

/** An instance-metadata / container document read at `nowMillis`, as JSON (or {"error"}). */
export function credentialsDocument(body: ArrayBuffer, nowMillis: i64): string {
  return keysJson(readCredentialsDocument(body, nowMillis));
}

/** An STS AssumeRole answer (JSON or XML) read at `nowMillis`, as JSON (or {"error"}). */
export function assumeRoleAnswer(body: ArrayBuffer, nowMillis: i64): string {
  return keysJson(readAssumeRoleAnswer(body, nowMillis));
}

/** The error code of an STS error answer, "" when none. */
export function errorCode(body: ArrayBuffer): string {
  return stsErrorCode(body);
}

/** RFC 3339 UTC as epoch ms, -1 when not. */
export function isoUtc(text: string): i64 {
  return parseIsoUtc(text);
}

/** An HTTP date as epoch ms, -1 when not. */
export function httpDate(text: string): i64 {
  return parseHttpDate(text);
}

/** When credentials fetched at `now` that expire at `expiration` are refreshed. */
export function refreshAt(now: i64, expiration: i64): i64 {
  return refreshTime(now, expiration);
}

/** What a 403 with these headers ("name: value" lines) and body is: "none", "expired" or "signature". */
export function refusal(headerLines: string, body: ArrayBuffer): string {
  const headers = new Array<Header>();
  const lines = headerLines.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon > 0) headers.push(new Header(lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()));
  }
  const kind = signatureRefusal(headers, body);
  return kind == AuthRefusal.ExpiredToken ? "expired" : kind == AuthRefusal.BadSignature ? "signature" : "none";
}
