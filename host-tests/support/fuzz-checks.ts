// Invariants the fuzzers check after every case, as functions returning the violations they found
// ("" = none) so a property can report all of them with the case that broke them.
import { createHmac } from "node:crypto";
import type { Callout, Host, Pairs, Reply } from "../../emulator/index.ts";
import { lenientDecode } from "./aws-endpoint.ts";
import { FUZZ_NOW } from "./fuzz-host.ts";
import { connectionListed, NEVER_FORWARDED, NEVER_RELAYED } from "./hop-by-hop.ts";

/** What a configuration promises about every callout made under it. */
export interface CalloutModel {
  scheme: string;
  /** host[:port] as written, host lower-cased. */
  authority: string;
  /** proxy_http_call target. */
  upstream: string;
  /** function_uri's path without trailing slashes ("" for the root). */
  basePath: string;
  apiKey?: string;
  iam?: { accessKey: string; secretKey: string; sessionToken?: string };
}

const PSEUDO = new Set([":method", ":path", ":authority", ":scheme"]);
const UNSAFE = /[\r\n\0]/;
/** An RFC 9110 field name (token), lower case as both hosts deliver them. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

function values(pairs: Pairs, name: string): string[] {
  return pairs.filter(([k]) => k === name).map(([, v]) => v);
}

/** Violations of the path rules: base path kept, one '/' joint, no dot segment or encoded slash after it. */
export function pathViolations(path: string, basePath: string): string[] {
  const question = path.indexOf("?");
  const pathPart = question < 0 ? path : path.slice(0, question);
  const problems: string[] = [];
  if (!pathPart.startsWith("/")) problems.push(`:path ${JSON.stringify(pathPart)} does not start with "/"`);
  if (!pathPart.startsWith(basePath)) problems.push(`:path ${JSON.stringify(pathPart)} does not start with ${JSON.stringify(basePath)}`);
  const rest = pathPart.slice(basePath.length);
  if (rest !== "" && !rest.startsWith("/") && basePath !== "") problems.push(`:path joined without "/": ${JSON.stringify(pathPart)}`);
  if (/%2f|%5c|\\/i.test(rest)) problems.push(`:path has an encoded slash or a backslash after the base: ${JSON.stringify(rest)}`);
  for (const segment of rest.split("/")) {
    const decoded = lenientDecode(segment);
    if (decoded === "." || decoded === "..") problems.push(`:path has a dot segment ${JSON.stringify(segment)}: ${JSON.stringify(pathPart)}`);
    if (/[\0-\x1f\x7f]/.test(decoded)) problems.push(`:path has a control character: ${JSON.stringify(pathPart)}`);
  }
  return problems;
}

/**
 * Violations of what any callout under `model` must look like, whatever the client sent. With the client's
 * headers (`client`, URL mode: the callout carries them), the names its Connection header lists count too.
 */
export function calloutViolations(callout: Callout, model: CalloutModel, client: Pairs = []): string[] {
  const problems: string[] = [];
  const h = callout.headers;
  // What the filter sets itself (pseudo-headers, credentials) may carry a name the client listed.
  const own = new Set([...(model.apiKey !== undefined ? ["x-api-key"] : []),
    ...(model.iam ? ["authorization", "x-amz-date", "x-amz-security-token"] : [])]);
  const listed = [...connectionListed(client)].filter((name) => !name.startsWith(":") && !own.has(name));
  const one = (name: string, expected: string) => {
    const got = values(h, name);
    if (got.length !== 1 || got[0] !== expected) problems.push(`${name} is ${JSON.stringify(got)}, expected [${JSON.stringify(expected)}]`);
  };
  one(":authority", model.authority);
  one(":scheme", model.scheme);
  if (callout.upstream !== model.upstream) problems.push(`upstream is ${JSON.stringify(callout.upstream)}, expected ${JSON.stringify(model.upstream)}`);
  const paths = values(h, ":path");
  if (paths.length !== 1) problems.push(`${paths.length} :path headers`);
  else problems.push(...pathViolations(paths[0], model.basePath));
  if (values(h, ":method").length !== 1) problems.push("not exactly one :method");
  else if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(values(h, ":method")[0])) problems.push(":method is not an HTTP token");
  for (const [name, value] of h) {
    if (UNSAFE.test(name) || UNSAFE.test(value)) problems.push(`header ${JSON.stringify(name)}: ${JSON.stringify(value.slice(0, 80))} has CR/LF/NUL`);
    if (name.startsWith(":") ? !PSEUDO.has(name) : !TOKEN.test(name)) problems.push(`header name ${JSON.stringify(name)} is not a token`);
    if (NEVER_FORWARDED.has(name)) problems.push(`forwarded ${name}`);
    else if (listed.includes(name)) problems.push(`forwarded ${name}, which the client's Connection header lists`);
  }
  if (model.apiKey !== undefined) one("x-api-key", model.apiKey);
  if (model.iam) {
    const auth = values(h, "authorization");
    const prefix = `AWS4-HMAC-SHA256 Credential=${model.iam.accessKey}/`;
    if (auth.length !== 1 || !auth[0].startsWith(prefix)) problems.push(`authorization ${JSON.stringify(auth)} is not signed by ${model.iam.accessKey}`);
    if (values(h, "x-amz-date").length !== 1) problems.push("not exactly one x-amz-date");
    const tokens = values(h, "x-amz-security-token");
    const expected = model.iam.sessionToken ? [model.iam.sessionToken] : [];
    if (JSON.stringify(tokens) !== JSON.stringify(expected)) problems.push(`x-amz-security-token is ${JSON.stringify(tokens)}`);
  }
  return problems;
}

/** Violations of "the client always gets an answer": a status 100–599, or a callout still pending. */
export function replyViolations(host: Host, reply: Reply): string[] {
  if (host.failed) return [`the VM trapped: ${host.trap?.message}`];
  if (reply.continued) return ["the request bypassed the filter (continued to the route's upstream)"];
  if (reply.status >= 100 && reply.status <= 599) return [];
  if (reply.stalled && host.getPendingCallouts().some((c) => c.streamId === reply.streamId)) return [];
  return [`no reply: status ${reply.status}, ${reply.stalled ?? reply.details ?? "no detail"}`];
}

/**
 * The headers the filter relayed: what it passed to proxy_send_local_response (the host adds its own
 * framing on the way out — APISIX's nginx sends a local reply chunked).
 */
export function filterReplyHeaders(host: Host, reply: Reply): Pairs {
  return host.getLocalResponse(reply.streamId)?.headers ?? reply.headers;
}

/** Violations in the headers relayed to the client: no hop-by-hop, no CR/LF/NUL, no pseudo-header. */
export function relayedHeaderViolations(headers: Pairs): string[] {
  const problems: string[] = [];
  for (const [name, value] of headers) {
    if (UNSAFE.test(name) || UNSAFE.test(value)) problems.push(`relayed header ${JSON.stringify(name)} has CR/LF/NUL`);
    if (!TOKEN.test(name)) problems.push(`relayed header name ${JSON.stringify(name)} is not a token`);
    if (NEVER_RELAYED.has(name)) problems.push(`relayed hop-by-hop ${name}`);
  }
  return problems;
}

// ---- secrets --------------------------------------------------------------------------------------

const amzDay = new Date(FUZZ_NOW).toISOString().slice(0, 10).replace(/-/g, "");

/** The SigV4 signing key for `secret` on the fuzz hosts' date (HMAC chain of the AWS spec). */
export function signingKey(secret: string, region: string, service: string, day = amzDay): Buffer {
  const mac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
  return mac(mac(mac(mac(`AWS4${secret}`, day), region), service), "aws4_request");
}

/** Texts that must never appear in logs, local replies or metric names, in the forms a leak would take. */
export class SecretSet {
  private readonly forms = new Map<string, string>();

  /** A secret string: itself, and its UTF-8 bytes in hex and base64. */
  addText(label: string, secret: string): void {
    if (secret.length < 8) return;
    this.addBytes(label, Buffer.from(secret, "utf8"));
    this.forms.set(secret, label);
  }

  /** Secret bytes (a derived key): hex (either case), base64 and base64url. */
  addBytes(label: string, bytes: Buffer): void {
    this.forms.set(bytes.toString("hex"), `${label} (hex)`);
    this.forms.set(bytes.toString("base64").replace(/=+$/, ""), `${label} (base64)`);
    this.forms.set(bytes.toString("base64url"), `${label} (base64url)`);
  }

  /** The signing key named by a callout's Authorization header (its credential scope), added as a secret. */
  addSigningKeyOf(callout: Callout, secret: string): void {
    const auth = values(callout.headers, "authorization")[0] ?? "";
    const m = /Credential=[^/]*\/(\d{8})\/([^/]*)\/([^/]*)\/aws4_request/.exec(auth);
    if (m) this.addBytes(`signing key ${m[2]}/${m[3]}`, signingKey(secret, m[2], m[3], m[1]));
  }

  /** The labels of every secret `text` contains (hex compared case-insensitively). */
  find(text: string): string[] {
    if (text.length < 8) return [];
    const lower = text.toLowerCase();
    const hits: string[] = [];
    for (const [form, label] of this.forms) {
      if (text.includes(form) || (label.endsWith("(hex)") && lower.includes(form))) hits.push(label);
    }
    return hits;
  }

  /** Violations in everything the filter said since the last clearLogs(): logs, the reply, metric names. */
  leaks(host: Host, reply?: Reply): string[] {
    const problems: string[] = [];
    for (const entry of host.getLogs()) {
      for (const label of this.find(entry.message)) problems.push(`log line leaks the ${label}: ${entry.message.slice(0, 200)}`);
    }
    if (reply) {
      for (const label of this.find(reply.body.toString("latin1"))) problems.push(`reply body leaks the ${label}`);
      for (const [name, value] of reply.headers) {
        for (const label of this.find(`${name}: ${value}`)) problems.push(`reply header ${name} leaks the ${label}`);
      }
    }
    for (const name of host.getMetrics().keys()) {
      for (const label of this.find(name)) problems.push(`metric ${name} leaks the ${label}`);
    }
    return problems;
  }
}
