// Generators for the credential fuzzer: a source (instance metadata, container endpoint, AssumeRole on
// static keys) and a script of hostile answers for each of its callouts — statuses, failures, malformed
// JSON and XML, huge values, control characters, raw bytes, wrong types, missing fields, past and odd
// Expirations — plus the function's answers (200, or 403 ExpiredTokenException to force a second fetch).
// Every secret a document carries holds a marker (SEKRET…) the leak check looks for.
import fc from "fast-check";
import type { CalloutAnswer } from "../../emulator/index.ts";
import { FUZZ_NOW, RAW_MARKERS } from "./fuzz-host.ts";
import { exponentSeconds } from "./sts.ts";

export type SourceKind = "instance" | "container" | "assume";
/** The kinds of credential callouts, by what they ask for. */
export type Step = "token" | "listing" | "document" | "sts";

/** One scripted answer: null = the callout failed (0 headers). */
export interface ScriptedAnswer {
  answer: CalloutAnswer | null;
  /** The credentials it carries when it is a well-formed, unexpired document (for the model). */
  valid?: { accessKeyId: string; sessionToken: string };
  /** Secrets it carries (for the leak check). */
  secrets: string[];
}

export interface CredentialCase {
  source: SourceKind;
  /** Answers per step, used in order (the last repeats). */
  script: Record<Step, ScriptedAnswer[]>;
  /** The function's answers in order: "ok" or "expired" (the last repeats). */
  lambda: Array<"ok" | "expired">;
  /** True when every credential answer is the canonical good one: the request must then succeed. */
  allGood: boolean;
}

const HOUR = 3600_000;
const alnum = fc.stringMatching(/^[A-Z0-9]{8,20}$/);
const secretMarker = fc.stringMatching(/^[a-z0-9]{12}$/).map((s) => `SEKRET${s}`);
/** Any code points, lone surrogates included (fc.string's "binary" unit, at a fraction of its cost). */
const anyText = (maxLength: number) => fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength }).map((cps) => String.fromCodePoint(...cps));

/** Where a generated value carries the case's secret marker (filled in once the marker is drawn). */
const MARK = "\u0001MARK\u0001";

/** A plausible value, or a hostile one, with MARK where the marker goes. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`${MARK}/K7MDENG+bPxRfiCY`) },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.integer({ min: 8000, max: 70_000 }).map((n) => MARK + "A".repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom("\u0000", "\r\n", "\t", " ", "\u007f", "\u0085", "é", "\u2028").map((c) => `${MARK}${c}x`) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_MARKERS).map((raw) => `${MARK}${raw}`) },
  { weight: 1, arbitrary: anyText(30).map((s) => MARK + s) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant([MARK]), fc.constant({ v: MARK })) },
);

/** `value` with `marker` in place of MARK, however deep. */
function fill(value: unknown, marker: string): unknown {
  if (typeof value === "string") return value.split(MARK).join(marker);
  if (Array.isArray(value)) return value.map((v) => fill(v, marker));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, marker)]));
  return value;
}

/** An Expiration: ISO in the future (often), past, odd forms, numbers, exponent notation, wrong types. */
const expiration: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 12 }).map((h) => new Date(FUZZ_NOW + h * HOUR).toISOString().replace(/\.\d{3}Z$/, "Z")) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 10_000 }).map((s) => new Date(FUZZ_NOW - s * 1000).toISOString()) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 12 }).map((h) => exponentSeconds((FUZZ_NOW + h * HOUR) / 1000)).map(Number) },
  { weight: 1, arbitrary: fc.constantFrom("2024-05-17T25:00:00Z", "2024-05-17T1x:00:00Z", "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z",
    "2024-05-17T13:30:45+02:00", "2024-05-17 13:30:45Z", "2024-02-30T00:00:00Z", "", "Z", "soon") },
  { weight: 1, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.constant(1e300), fc.constant(-1), fc.constant(null), fc.constant(true), fc.constant({})) },
);

interface Fields { accessKeyId: unknown; secret: unknown; token: unknown; expiration: unknown; marker: string }

const fields: fc.Arbitrary<Fields> = fc.record({
  accessKeyId: fc.oneof({ weight: 6, arbitrary: alnum.map((s) => `ASIA${s}`) }, { weight: 1, arbitrary: hostileValue }),
  secret: hostileValue,
  token: hostileValue,
  expiration,
  marker: secretMarker,
}).map((f) => ({ ...f, accessKeyId: fill(f.accessKeyId, "AKID"), secret: fill(f.secret, f.marker), token: fill(f.token, `${f.marker}tok`) }));

/** An RFC 3339 UTC time (T, t or a space between date and time; Z, z or +00:00). */
const RFC3339_UTC = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|\+00:00)$/;

/**
 * The credentials the filter must accept from these fields: an access key id of letters, digits and "_"
 * (at most 128), secret and token of visible ASCII up to 8 KiB, and an unexpired
 * Expiration — RFC 3339, or (JSON only) epoch seconds. In XML every value is its text.
 */
function validOf(f: Fields, format: "json" | "xml"): ScriptedAnswer["valid"] {
  const text = (v: unknown) => (format === "xml" && typeof v !== "string" ? JSON.stringify(v) ?? "" : v);
  const [accessKeyId, secret, token, exp] = [f.accessKeyId, f.secret, f.token, f.expiration].map(text);
  const plausible = (v: unknown) => typeof v === "string" && v.length > 0 && v.length <= 8192 && /^[\x21-\x7e]+$/.test(v);
  const expMs = typeof exp === "number" ? (exp >= 0 && exp <= 253402300799 ? Math.floor(exp) * 1000 : NaN)
    : typeof exp === "string" && RFC3339_UTC.test(exp) ? Date.parse(exp.replace(/[ t]/, "T").replace("z", "Z")) : NaN;
  const keyId = typeof accessKeyId === "string" && /^\w{1,128}$/.test(accessKeyId);
  if (!keyId || !plausible(secret) || !plausible(token) || !(expMs > FUZZ_NOW)) return undefined;
  return { accessKeyId: accessKeyId as string, sessionToken: token as string };
}

/** How a serialized document is damaged (or not). */
const damage = fc.oneof(
  { weight: 8, arbitrary: fc.constant((text: string) => text) },
  { weight: 1, arbitrary: fc.nat().map((n) => (text: string) => text.slice(0, n % (text.length + 1))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => () => Buffer.from(bytes).toString("latin1")) },
  { weight: 1, arbitrary: fc.constantFrom("[", "{\"a\":", "null", "\"x\"", "[]", "{}", "{\"Code\":\"Success\"}", "[".repeat(40))
    .map((junk) => () => junk) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_MARKERS).map((raw) => (text: string) => text.replace(":", `:${raw}`)) },
);

const statusOf = fc.oneof(
  { weight: 12, arbitrary: fc.constant<number | null | "none">(200) },
  { weight: 1, arbitrary: fc.constantFrom<number | null | "none">(null, "none", 0, 99, 600, 201, 204, 301, 400, 401, 403, 404, 500, 503, 504) },
);

function reply(status: number | null | "none", body: string): CalloutAnswer | null {
  if (status === null) return null;
  const headers: [string, string][] = status === "none" ? [["content-type", "text/plain"]] : [[":status", String(status)]];
  return { headers, body };
}

function scripted(f: Fields, status: number | null | "none", hurt: (t: string) => string, render: (f: Fields) => string): ScriptedAnswer {
  const text = render(f);
  const body = hurt(text);
  return { answer: reply(status, body), valid: status === 200 && body === text ? validOf(f, render === stsXml ? "xml" : "json") : undefined,
    secrets: [f.marker, `${f.marker}tok`] };
}

const imdsDocument = (f: Fields) => JSON.stringify({ Code: "Success", LastUpdated: "2024-05-17T06:30:45Z", Type: "AWS-HMAC",
  AccessKeyId: f.accessKeyId, SecretAccessKey: f.secret, Token: f.token, Expiration: f.expiration }, null, 2);
const stsJson = (f: Fields) => JSON.stringify({ AssumeRoleResponse: { AssumeRoleResult: { Credentials: {
  AccessKeyId: f.accessKeyId, SecretAccessKey: f.secret, SessionToken: f.token, Expiration: f.expiration } } } });
const xmlText = (v: unknown) => (typeof v === "string" ? v.replace(/&/g, "&amp;").replace(/</g, "&lt;") : JSON.stringify(v) ?? "");
const stsXml = (f: Fields) => `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>`
  + `<AccessKeyId>${xmlText(f.accessKeyId)}</AccessKeyId><SecretAccessKey>${xmlText(f.secret)}</SecretAccessKey>`
  + `<SessionToken>${xmlText(f.token)}</SessionToken><Expiration>${xmlText(f.expiration)}</Expiration></Credentials>`
  + `</AssumeRoleResult></AssumeRoleResponse>`;

/** A credentials document (instance, container) or an STS answer (JSON or XML). */
function documentAnswer(step: Step): fc.Arbitrary<ScriptedAnswer> {
  const render = step === "sts" ? fc.constantFrom(stsJson, stsXml) : fc.constant(imdsDocument);
  return fc.tuple(fields, statusOf, damage, render).map(([f, status, hurt, r]) => scripted(f, status, hurt, r));
}

/** A token or role listing: plausible text, or hostile. */
function textAnswer(good: string): fc.Arbitrary<ScriptedAnswer> {
  const body = fc.oneof(
    { weight: 8, arbitrary: fc.constant(good) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", `${good}\n`, `${good}\nsecond`, "a b", "x".repeat(5000), "role/../x", `\u0000${good}`) },
    { weight: 1, arbitrary: anyText(80) },
  );
  return fc.tuple(statusOf, body).map(([status, text]) => ({ answer: reply(status, text), secrets: [] }));
}

const TOKEN = "AQAEAFnyqaJ8QBR3DuQp7dQ8tmqGGF6Ah8Wd3lWBb4uGMzvvEXAMPLE==";
const ROLE = "gateway-role";

/** The canonical good answers per step. */
function good(step: Step, marker: string): ScriptedAnswer {
  const f: Fields = { accessKeyId: "ASIAGOODFUZZKEY", secret: `${marker}/good`, token: `${marker}tokgood`,
    expiration: new Date(FUZZ_NOW + 6 * HOUR).toISOString(), marker };
  if (step === "token") return { answer: reply(200, TOKEN), secrets: [] };
  if (step === "listing") return { answer: reply(200, ROLE), secrets: [] };
  return scripted(f, 200, (t) => t, step === "sts" ? stsJson : imdsDocument);
}

const scriptFor = (arb: fc.Arbitrary<ScriptedAnswer>) => fc.array(arb, { minLength: 1, maxLength: 3 });

export const credentialCase: fc.Arbitrary<CredentialCase> = fc.record({
  source: fc.constantFrom<SourceKind>("instance", "container", "assume"),
  allGood: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  marker: secretMarker,
  token: scriptFor(textAnswer(TOKEN)),
  listing: scriptFor(textAnswer(ROLE)),
  document: scriptFor(documentAnswer("document")),
  sts: scriptFor(documentAnswer("sts")),
  lambda: fc.array(fc.constantFrom<"ok" | "expired">("ok", "ok", "expired"), { minLength: 1, maxLength: 3 }),
}).map((c) => ({
  source: c.source,
  allGood: c.allGood,
  lambda: c.lambda,
  script: c.allGood
    ? { token: [good("token", c.marker)], listing: [good("listing", c.marker)], document: [good("document", c.marker)], sts: [good("sts", c.marker)] }
    : { token: c.token, listing: c.listing, document: c.document, sts: c.sts },
}));

/** The step a credential callout's path asks for; undefined for the function. */
export function stepOf(path: string, source: SourceKind): Step | undefined {
  if (path === "/latest/api/token") return "token";
  if (path === "/latest/meta-data/iam/security-credentials/") return "listing";
  if (path.startsWith("/latest/meta-data/iam/security-credentials/") || path.startsWith("/creds")) return "document";
  if (source === "assume" && path === "/") return "sts";
  return undefined;
}
