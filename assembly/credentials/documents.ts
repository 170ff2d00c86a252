// Reading the documents credential endpoints answer with. Instance metadata and the container endpoint:
// JSON {AccessKeyId, SecretAccessKey, Token, Expiration: "2026-12-01T22:00:00Z"} (instance metadata adds
// Code: "Success"). STS AssumeRole, asked for JSON: {"AssumeRoleResponse":{"AssumeRoleResult":{"Credentials":
// {…, "SessionToken", "Expiration": 1.7E9 epoch seconds}}}}; its documented XML form is read too. Every value
// must be plausible before it signs anything: printable, bounded, and not already expired.
import { isValidUtf8 } from "../kernel/utf8";
import { JsonKind, JsonValue, parseJson } from "../util/json-reader";
import { Credentials } from "../sigv4/credentials";
import { parseIsoUtc } from "./time-formats";

/** Answers larger than this are not credential documents. */
export const MAX_DOCUMENT_BYTES = 65536;
/** Session tokens run to a few KB; keys far less. */
const MAX_VALUE_LENGTH = 8192;

/** Credentials read from a document, with their expiry; or why they could not be. */
export class FetchedKeys {
  credentials: Credentials = new Credentials("", "", "");
  expirationMillis: i64 = 0;
  error: string = "";
}

function failed(error: string): FetchedKeys {
  const keys = new FetchedKeys();
  keys.error = error;
  return keys;
}

/** Visible ASCII only: a value that goes into headers must not carry spaces, controls or non-ASCII. */
function isPlausible(value: string): bool {
  if (value.length == 0 || value.length > MAX_VALUE_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

function text(body: ArrayBuffer): string | null {
  if (body.byteLength > MAX_DOCUMENT_BYTES) return null;
  if (!isValidUtf8(body)) return null;
  return String.UTF8.decode(body);
}

function member(object: JsonValue | null, name: string): JsonValue | null {
  return object == null || object.kind != JsonKind.Object ? null : object.get(name);
}

function stringMember(object: JsonValue, name: string): string {
  const value = object.get(name);
  return value != null && value.kind == JsonKind.String ? value.text : "";
}

/**
 * An access key id as IAM writes them: letters, digits and "_", at most 128. Anything else ("/", ",", "=")
 * would corrupt the Credential=<id>/<scope> field of the Authorization header it goes into.
 */
function isAccessKeyId(value: string): bool {
  if (value.length == 0 || value.length > 128) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f)) return false;
  }
  return true;
}

/** Checks the three values and the expiry (epoch ms, -1 when unreadable) against `nowMillis`. */
function keys(accessKeyId: string, secret: string, token: string, tokenName: string, expiration: i64,
  nowMillis: i64): FetchedKeys {
  if (!isAccessKeyId(accessKeyId)) return failed("AccessKeyId is missing or malformed");
  if (!isPlausible(secret)) return failed("SecretAccessKey is missing or malformed");
  if (!isPlausible(token)) return failed(tokenName + " is missing or malformed");
  if (expiration < 0) return failed("Expiration is missing or malformed");
  if (expiration <= nowMillis) return failed("the credentials had already expired");
  const result = new FetchedKeys();
  result.credentials = new Credentials(accessKeyId, secret, token);
  result.expirationMillis = expiration;
  return result;
}

/** An Expiration as either form: epoch seconds (a JSON number) or an RFC 3339 string. */
function expirationOf(value: JsonValue | null): i64 {
  if (value == null) return -1;
  if (value.kind == JsonKind.String) return parseIsoUtc(value.text);
  if (value.kind != JsonKind.Number || !isFinite(value.number) || value.number < 0 || value.number > 253402300799) return -1;
  return <i64>Math.floor(value.number) * 1000;
}

/** An instance-metadata or container-endpoint credentials document. */
export function readCredentialsDocument(body: ArrayBuffer, nowMillis: i64): FetchedKeys {
  const source = text(body);
  if (source == null) return failed("the answer is not a UTF-8 document of at most 64 KiB");
  const parsed = parseJson(source, 8);
  const document = parsed.value;
  if (document == null || document.kind != JsonKind.Object) return failed("the answer is not a JSON object");
  const code = document.get("Code");
  if (code != null && (code.kind != JsonKind.String || code.text != "Success")) {
    return failed("the answer's Code is not \"Success\"");
  }
  return keys(stringMember(document, "AccessKeyId"), stringMember(document, "SecretAccessKey"),
    stringMember(document, "Token"), "Token", expirationOf(document.get("Expiration")), nowMillis);
}

/** The text of the first `<name>…</name>` of a flat XML document, entities decoded; null when absent. */
function xmlElement(source: string, name: string): string | null {
  const open = source.indexOf("<" + name + ">");
  if (open < 0) return null;
  const start = open + name.length + 2;
  const close = source.indexOf("</" + name + ">", start);
  if (close < 0) return null;
  return source.substring(start, close).replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", "\"")
    .replaceAll("&apos;", "'").replaceAll("&amp;", "&");
}

function orEmpty(value: string | null): string {
  return value == null ? "" : value;
}

/** STS AssumeRole's answer, JSON or XML. */
export function readAssumeRoleAnswer(body: ArrayBuffer, nowMillis: i64): FetchedKeys {
  const source = text(body);
  if (source == null) return failed("the answer is not a UTF-8 document of at most 64 KiB");
  if (source.trimStart().startsWith("<")) {
    // The flat scan below would read a cut-off document too: only a whole one is trusted.
    if (!source.trimEnd().endsWith("</AssumeRoleResponse>")) return failed("the XML answer is not a whole AssumeRoleResponse");
    const credentials = xmlElement(source, "Credentials");
    if (credentials == null) return failed("the XML answer has no Credentials");
    return keys(orEmpty(xmlElement(credentials, "AccessKeyId")), orEmpty(xmlElement(credentials, "SecretAccessKey")),
      orEmpty(xmlElement(credentials, "SessionToken")), "SessionToken", parseIsoUtc(orEmpty(xmlElement(credentials, "Expiration"))),
      nowMillis);
  }
  const parsed = parseJson(source, 8);
  const credentials = member(member(member(parsed.value, "AssumeRoleResponse"), "AssumeRoleResult"), "Credentials");
  if (credentials == null || credentials.kind != JsonKind.Object) return failed("the answer has no AssumeRoleResult.Credentials");
  return keys(stringMember(credentials, "AccessKeyId"), stringMember(credentials, "SecretAccessKey"),
    stringMember(credentials, "SessionToken"), "SessionToken", expirationOf(credentials.get("Expiration")), nowMillis);
}

/** Only letters and digits (an AWS error code), at most 64 of them; "" otherwise. */
function errorCode(value: string): string {
  if (value.length > 64) return "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2e)) return "";
  }
  return value;
}

/** The error code of an STS error answer (JSON Error.Code or XML <Code>), "" when there is none. */
export function stsErrorCode(body: ArrayBuffer): string {
  const source = text(body);
  if (source == null) return "";
  if (source.trimStart().startsWith("<")) return errorCode(orEmpty(xmlElement(source, "Code")));
  const code = member(member(parseJson(source, 8).value, "Error"), "Code");
  return code != null && code.kind == JsonKind.String ? errorCode(code.text) : "";
}
