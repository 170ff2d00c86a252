// A loopback stand-in for AWS STS AssumeRole (Query API), written from:
// - AWS STS API Reference, "AssumeRole" (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html):
//   POST / with a form body Action=AssumeRole&Version=2011-06-15&RoleArn&RoleSessionName (2-64 of
//   [\w+=,.@-]), DurationSeconds (900-43200), ExternalId (2-1224); the result's Credentials
//   {AccessKeyId, SecretAccessKey, SessionToken, Expiration} and AssumedRoleUser.
// - AWS STS API Reference, "Common Errors" and "Making Query requests" / SigV4 ("Signature Version 4
//   signing process"): the request is signed for service sts; errors AccessDenied, ExpiredToken,
//   InvalidClientTokenId, SignatureDoesNotMatch (403), IncompleteSignature, ValidationError (400), in an
//   XML <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
// The documented answer is XML (Expiration ISO 8601 with milliseconds). Sent `Accept: application/json`,
// STS answers JSON instead — undocumented, relied on by Envoy's and Kong's providers — with Expiration as
// epoch seconds in exponent notation (`1.764973812E9`, envoyproxy/envoy#34426) and errors as
// {"Error":{"Code","Message","Type"},"RequestId"}. The signature is checked with @smithy/signature-v4
// (aws-endpoint.ts) against the base credentials in `accepted`.
import { randomUUID } from "node:crypto";
import { verifySigV4, type Credentials, type ReceivedRequest } from "./aws-endpoint.ts";
import { CredentialIssuer, headerOf, LoopbackServer, type IssuedCredentials, type StandInAnswer, type StandInRequest,
  type TestClock } from "./credential-stand-in.ts";

export interface StsOptions {
  clock: TestClock;
  /** Base credentials STS accepts (access key → secret, session token); read on every request. */
  base: Record<string, Credentials>;
  /** The Lambda stand-ins' table: assumed-role credentials are added to it. */
  accepted: Record<string, Credentials>;
  /** Signing region STS expects. */
  region: string;
}

/** One AssumeRole STS granted. */
export interface AssumeRoleCall {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  durationSeconds: number;
  /** The base credentials' access key that signed it. */
  signedBy: string;
  format: "json" | "xml";
  issued: IssuedCredentials;
}

export type StsErrorCode = "AccessDenied" | "ExpiredToken" | "SignatureDoesNotMatch" | "InvalidClientTokenId" | "IncompleteSignature"
  | "MissingAuthenticationToken" | "ValidationError";

const STATUS: Record<StsErrorCode, number> = {
  AccessDenied: 403, ExpiredToken: 403, SignatureDoesNotMatch: 403, InvalidClientTokenId: 403, MissingAuthenticationToken: 403,
  IncompleteSignature: 400, ValidationError: 400,
};

/** What aws-endpoint.ts's verifier calls a refusal, as STS's Query API names it. */
const QUERY_CODES: Record<string, StsErrorCode> = {
  MissingAuthenticationTokenException: "MissingAuthenticationToken",
  IncompleteSignatureException: "IncompleteSignature",
  UnrecognizedClientException: "InvalidClientTokenId",
  ExpiredTokenException: "ExpiredToken",
  InvalidSignatureException: "SignatureDoesNotMatch",
};

/** Epoch seconds as Java's Double.toString writes them (1.7649E9), as STS's JSON does. */
export function exponentSeconds(seconds: number): string {
  const digits = String(Math.floor(seconds));
  return `${digits[0]}.${digits.slice(1).replace(/0+$/, "") || "0"}E${digits.length - 1}`;
}

export class StsStandIn {
  /** Roles that may be assumed (others: AccessDenied); any when null. */
  allowedRoles: Set<string> | null = null;
  /** The external id the role's trust policy requires (AccessDenied without it). */
  requiredExternalId: string | undefined;
  /** Base access keys whose session token STS calls expired. */
  readonly expiredBase = new Set<string>();
  /** Answer this format whatever Accept says ("auto": JSON for Accept: application/json, else XML). */
  format: "auto" | "json" | "xml" = "auto";
  /** Lifetime of issued credentials instead of DurationSeconds. */
  lifetimeSeconds: number | null = null;
  /** Replaces the success document (malformed answers). */
  document: ((credentials: IssuedCredentials, format: "json" | "xml") => string | Buffer) | null = null;
  /** Answers a request before the stand-in does, when it returns something. */
  override: ((req: StandInRequest) => StandInAnswer | undefined) | null = null;
  readonly calls: AssumeRoleCall[] = [];
  readonly refusals: StsErrorCode[] = [];
  readonly issuer: CredentialIssuer;

  private constructor(private readonly server: LoopbackServer, private readonly options: StsOptions) {
    this.issuer = new CredentialIssuer("STS", options.clock, options.accepted);
  }

  static async start(options: StsOptions): Promise<StsStandIn> {
    let sts: StsStandIn;
    const server = await LoopbackServer.start((req) => sts.handle(req));
    sts = new StsStandIn(server, options);
    return sts;
  }

  get received(): StandInRequest[] { return this.server.received; }
  get authority(): string { return this.server.authority; }
  get url(): string { return this.server.url; }
  get last(): AssumeRoleCall | undefined { return this.calls[this.calls.length - 1]; }
  close(): Promise<void> { return this.server.close(); }

  private async handle(req: StandInRequest): Promise<StandInAnswer> {
    const format = this.format !== "auto" ? this.format : (headerOf(req, "accept") ?? "").includes("application/json") ? "json" : "xml";
    const overridden = this.override?.(req);
    if (overridden) return overridden;
    const refuse = (code: StsErrorCode, message: string) => this.error(format, code, message);
    if (req.method !== "POST" || req.path !== "/") return refuse("ValidationError", "AssumeRole is POST / with a form body");
    const [path, query] = req.path.split("?");
    const received: ReceivedRequest = { method: req.method, url: req.path, path, query: query ?? "", headers: req.headers, body: req.body };
    const verdict = await verifySigV4(received, {
      iam: this.options.base, region: this.options.region, service: "sts", now: this.options.clock.now, expiredTokens: this.expiredBase,
    });
    if (!verdict.ok) return refuse(QUERY_CODES[verdict.type] ?? "SignatureDoesNotMatch", verdict.message);
    const form = new URLSearchParams(req.body.toString("utf8"));
    if (form.get("Action") !== "AssumeRole" || form.get("Version") !== "2011-06-15") {
      return refuse("ValidationError", "Action must be AssumeRole and Version 2011-06-15");
    }
    const roleArn = form.get("RoleArn") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    const externalId = form.get("ExternalId") ?? undefined;
    const durationSeconds = Number(form.get("DurationSeconds") ?? "3600");
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) return refuse("ValidationError", "RoleArn is not a role ARN");
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) return refuse("ValidationError", "RoleSessionName does not satisfy the constraint");
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
      return refuse("ValidationError", "DurationSeconds must be between 900 and 43200");
    }
    const caller = verdict.signed.accessKey;
    if ((this.allowedRoles && !this.allowedRoles.has(roleArn)) || (this.requiredExternalId !== undefined && externalId !== this.requiredExternalId)) {
      return refuse("AccessDenied", `User: arn:aws:sts::111122223333:assumed-role/gateway/${caller} is not authorized to perform: `
        + `sts:AssumeRole on resource: ${roleArn}`);
    }
    const issued = this.issuer.issue(this.lifetimeSeconds ?? durationSeconds);
    this.calls.push({ roleArn, sessionName, externalId, durationSeconds, signedBy: caller, format, issued });
    const body = this.document ? this.document(issued, format) : format === "json" ? jsonAnswer(issued, roleArn, sessionName) : xmlAnswer(issued, roleArn, sessionName);
    return { status: 200, headers: { "content-type": format === "json" ? "application/json" : "text/xml", "x-amzn-requestid": randomUUID() }, body };
  }

  private error(format: "json" | "xml", code: StsErrorCode, message: string): StandInAnswer {
    this.refusals.push(code);
    const requestId = randomUUID();
    const status = STATUS[code];
    if (format === "json") {
      return { status, headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
        body: JSON.stringify({ Error: { Code: code, Message: message, Type: "Sender" }, RequestId: requestId }) };
    }
    return { status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
      body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${code}</Code>\n`
        + `    <Message>${escapeXml(message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n` };
  }
}

function assumedRoleUser(roleArn: string, sessionName: string) {
  const [, , , , account, resource] = roleArn.split(":");
  const role = resource.split("/").pop();
  return { Arn: `arn:aws:sts::${account}:assumed-role/${role}/${sessionName}`, AssumedRoleId: `AROA3XFRBF535PLBIFPI4:${sessionName}` };
}

/** The JSON answer, its Expiration a bare number in exponent notation. */
function jsonAnswer(c: IssuedCredentials, roleArn: string, sessionName: string): string {
  const answer = {
    AssumeRoleResponse: {
      AssumeRoleResult: {
        AssumedRoleUser: assumedRoleUser(roleArn, sessionName),
        Credentials: { AccessKeyId: c.accessKeyId, Expiration: "@EXPIRATION@", SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken },
        PackedPolicySize: null, SourceIdentity: null,
      },
      ResponseMetadata: { RequestId: randomUUID() },
    },
  };
  return JSON.stringify(answer).replace("\"@EXPIRATION@\"", exponentSeconds(c.expiration / 1000));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** The documented XML answer; Expiration with milliseconds. */
function xmlAnswer(c: IssuedCredentials, roleArn: string, sessionName: string): string {
  const user = assumedRoleUser(roleArn, sessionName);
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>gateway</SourceIdentity>
    <AssumedRoleUser>
      <Arn>${escapeXml(user.Arn)}</Arn>
      <AssumedRoleId>${escapeXml(user.AssumedRoleId)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${escapeXml(c.accessKeyId)}</AccessKeyId>
      <SecretAccessKey>${escapeXml(c.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${escapeXml(c.sessionToken)}</SessionToken>
      <Expiration>${new Date(c.expiration).toISOString()}</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;
}
