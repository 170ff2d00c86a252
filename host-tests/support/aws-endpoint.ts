// A loopback stand-in for API Gateway / a Lambda Function URL that checks requests the way AWS does:
// it recomputes the SigV4 signature from what it received (SignedHeaders, X-Amz-Date, wire path and
// query, body) with @smithy/signature-v4 and answers 403 with AWS's error body on a mismatch (quoting the
// canonical request and string to sign, as AWS does); it checks the API key like API Gateway. Accepted
// requests go to a handler written like a function. Temporary credentials: `iam` is read on every request
// (stand-ins add what they issue), and a key in `expiredTokens` is refused 403 ExpiredTokenException as
// Lambda does once a session token expired (Lambda API Reference, "Common Errors").
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";

export interface Credentials { secretKey: string; sessionToken?: string }

/** What the endpoint received, for assertions. */
export interface ReceivedRequest {
  method: string;
  /** Raw request target: path and query exactly as on the wire. */
  url: string;
  path: string;
  query: string;
  /** Header pairs in arrival order, names lower-cased. */
  headers: [string, string][];
  body: Buffer;
  /** The verified signing scope, when the request was signed and the signature matched. */
  signed?: { accessKey: string; region: string; service: string; signedHeaders: string[] };
}

/** A streamed body: `write` sends one chunk (chunked framing, flushed at once) and resolves once written. */
export type BodyStream = (write: (chunk: string | Buffer) => Promise<void>) => Promise<void>;

export interface FunctionReply {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Instead of `body`: the body written chunk by chunk, with no Content-Length (as a streaming function URL does). */
  stream?: BodyStream;
}
export type Handler = (request: ReceivedRequest) => FunctionReply | Promise<FunctionReply>;

export interface EndpointOptions {
  /** Access key → secret (and session token) the endpoint accepts; when set, every request must be signed. */
  iam?: Record<string, Credentials>;
  /** Expected signing scope. */
  region?: string;
  service?: string;
  /** Required x-api-key value, as an API Gateway usage plan does. */
  apiKey?: string;
  handler?: Handler;
  /** Clock for the 15-minute skew check (and the Date header). */
  now?: () => number;
  /** Access keys whose session token AWS calls expired: 403 ExpiredTokenException. */
  expiredTokens?: Set<string>;
  /** Send a Date header (from `now`) with every answer, as AWS does. */
  sendDate?: boolean;
}

const MISMATCH = "The request signature we calculated does not match the signature you provided. Check your AWS "
  + "Secret Access Key and signing method. Consult the service documentation for details.";

/** Decodes %XX sequences and leaves anything else (including a stray '%' and '+') as it is, as AWS does. */
export function lenientDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) { bytes.push(parseInt(hex, 16)); i += 2; continue; }
    bytes.push(...Buffer.from(text[i], "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** A wire query as the name → value(s) map smithy signs, decoded as AWS decodes it. */
export function parseQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = lenientDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : lenientDecode(part.slice(eq + 1));
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function amzDateToDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

export type Verdict = { ok: true; signed: NonNullable<ReceivedRequest["signed"]> } | { ok: false; status: number; type: string; message: string };

/** smithy's signer, keeping the canonical request it hashed last (for AWS's mismatch message). */
class OracleSigner extends SignatureV4 {
  canonicalRequest = "";
  stringToSign = "";

  createCanonicalRequest(...args: [any, any, any]): string {
    this.canonicalRequest = super.createCanonicalRequest(...args);
    return this.canonicalRequest;
  }

  async createStringToSign(...args: [any, any, any, any]): Promise<string> {
    this.stringToSign = await super.createStringToSign(...args);
    return this.stringToSign;
  }
}

/** Checks a request's SigV4 signature as AWS does; the refusal type and message are Lambda's / API Gateway's. */
export async function verifySigV4(req: ReceivedRequest, options: EndpointOptions): Promise<Verdict> {
  const deny = (type: string, message: string, status = 403): Verdict => ({ ok: false, status, type, message });
  const header = (name: string) => req.headers.filter(([k]) => k === name).map(([, v]) => v);
  const authorization = header("authorization")[0];
  if (!authorization) return deny("MissingAuthenticationTokenException", "Missing Authentication Token");
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;\-]+), Signature=([0-9a-f]{64})$/
    .exec(authorization);
  if (!m) return deny("IncompleteSignatureException", "Authorization header requires valid Credential, SignedHeaders and Signature");
  const [, accessKey, day, region, service, signedList, signature] = m;
  const creds = options.iam?.[accessKey];
  if (!creds) return deny("UnrecognizedClientException", "The security token included in the request is invalid.");
  if (options.expiredTokens?.has(accessKey)) return deny("ExpiredTokenException", "The security token included in the request is expired");
  if (options.region && region !== options.region) return deny("InvalidSignatureException", `Credential should be scoped to a valid region, not '${region}'.`);
  if (options.service && service !== options.service) return deny("InvalidSignatureException", `Credential should be scoped to correct service: '${options.service}'.`);
  const signedHeaders = signedList.split(";");
  if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date")) return deny("IncompleteSignatureException", "host and x-amz-date must be signed");
  const date = amzDateToDate(header("x-amz-date")[0] ?? "");
  if (!date || !header("x-amz-date")[0].startsWith(day)) return deny("IncompleteSignatureException", "X-Amz-Date does not match the credential scope");
  const serverNow = (options.now ?? Date.now)();
  if (Math.abs(serverNow - date.getTime()) > 15 * 60_000) {
    const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
    const [bound, relation] = date.getTime() < serverNow ? [serverNow - 15 * 60_000, "earlier"] : [serverNow + 15 * 60_000, "later"];
    return deny("InvalidSignatureException", `Signature expired: ${header("x-amz-date")[0]} is now ${relation} than ${stamp(bound)} `
      + `(${stamp(serverNow)} ${relation === "earlier" ? "-" : "+"} 15 min.)`);
  }
  const token = header("x-amz-security-token")[0];
  if ((creds.sessionToken ?? undefined) !== token) return deny("UnrecognizedClientException", "The security token included in the request is invalid.");
  if (token !== undefined && !signedHeaders.includes("x-amz-security-token")) return deny("InvalidSignatureException", MISMATCH);

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const values = header(name);
    if (values.length === 0) return deny("InvalidSignatureException", MISMATCH);
    headers[name] = values.join(",");
  }
  const signer = new OracleSigner({
    credentials: { accessKeyId: accessKey, secretAccessKey: creds.secretKey },
    region, service, sha256: Hash.bind(null, "sha256"), applyChecksum: false, uriEscapePath: true,
  });
  const expected: any = await signer.sign({
    method: req.method, protocol: "https:", hostname: headers.host, path: req.path, query: parseQuery(req.query),
    headers, body: req.body,
  } as any, { signingDate: date });
  const theirs = /Signature=([0-9a-f]{64})/.exec(expected.headers.authorization)?.[1];
  if (theirs !== signature) {
    return deny("InvalidSignatureException", `${MISMATCH}\n\nThe Canonical String for this request should have been\n'`
      + `${signer.canonicalRequest}'\n\nThe String-to-Sign should have been\n'${signer.stringToSign}'\n`);
  }
  return { ok: true, signed: { accessKey, region, service, signedHeaders } };
}

/** A running endpoint: its base URL, authority and every request it received. */
export class AwsEndpoint {
  readonly received: ReceivedRequest[] = [];
  private constructor(private readonly server: Server) {}

  static async start(options: EndpointOptions = {}): Promise<AwsEndpoint> {
    let endpoint: AwsEndpoint;
    const server = createServer(async (req, res) => {
      const url = req.url ?? "/";
      const question = url.indexOf("?");
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      const received: ReceivedRequest = {
        method: req.method ?? "GET", url, path: question < 0 ? url : url.slice(0, question),
        query: question < 0 ? "" : url.slice(question + 1), headers, body: await buffer(req),
      };
      endpoint.received.push(received);
      if (options.sendDate) res.setHeader("date", new Date((options.now ?? Date.now)()).toUTCString());
      if (options.apiKey !== undefined && headers.find(([k]) => k === "x-api-key")?.[1] !== options.apiKey) {
        res.writeHead(403, { "content-type": "application/json", "x-amzn-errortype": "ForbiddenException" })
          .end('{"message":"Forbidden"}');
        return;
      }
      if (options.iam) {
        const verdict = await verifySigV4(received, options);
        if (!verdict.ok) {
          res.writeHead(verdict.status, { "content-type": "application/json", "x-amzn-errortype": verdict.type })
            .end(JSON.stringify({ message: verdict.message }));
          return;
        }
        received.signed = verdict.signed;
      }
      const reply = await (options.handler ?? echo)(received);
      res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...(reply.headers ?? {}) });
      if (reply.stream) {
        res.flushHeaders();
        await reply.stream((chunk) => new Promise<void>((resolve) => {
          if (res.destroyed) return resolve();
          res.write(chunk, () => resolve());
        }));
      }
      res.end(reply.body ?? "");
    });
    endpoint = new AwsEndpoint(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return endpoint;
  }

  get port(): number { return (this.server.address() as AddressInfo).port; }
  /** "127.0.0.1:<port>", the authority a function_uri on this endpoint has. */
  get authority(): string { return `127.0.0.1:${this.port}`; }
  get url(): string { return `http://${this.authority}`; }
  get last(): ReceivedRequest { return this.received[this.received.length - 1]; }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The APISIX docs' function: "Hello, <name>!" from the query, or the body's JSON name. */
export const hello: Handler = (req) => {
  let name = new URLSearchParams(req.query).get("name");
  if (!name && req.body.length > 0) { try { name = JSON.parse(req.body.toString()).name; } catch { /* not JSON */ } }
  return { body: JSON.stringify(`Hello, ${name ?? "World"}!`) };
};

/** Echoes what arrived as JSON: method, path, query, headers and the body's length and SHA-256-free bytes (base64). */
export const echo: Handler = (req) => ({
  body: JSON.stringify({ method: req.method, path: req.path, query: req.query, headers: req.headers,
    bodyLength: req.body.length, body: req.body.toString("base64") }),
});
