// A loopback stand-in for EC2 instance metadata (IMDS), written from the AWS documentation:
// - EC2 User Guide, "How Instance Metadata Service Version 2 works"
//   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html):
//   PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1 to 21600 s) returns a session
//   token, sent on later requests as X-aws-ec2-metadata-token; IMDSv2 "required" refuses requests without it.
// - The same guide on missing/invalid values ("400 - Missing or Invalid Parameters", also the Snowball
//   IMDS page) and AWS re:Post "Troubleshoot instance metadata": 400 bad PUT, 401 token missing, invalid
//   or expired, 403 request not allowed or IMDS turned off, 404 no such resource (no role attached).
// - AWS Security Blog, "Add defense in depth against open firewalls, reverse proxies, and SSRF
//   vulnerabilities with enhancements to the EC2 Instance Metadata Service": no token for a PUT that
//   carries X-Forwarded-For (answered 403 here; the blog gives no status).
// - EC2 User Guide, "Retrieve security credentials from instance metadata"
//   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html):
//   GET /latest/meta-data/iam/security-credentials/ lists the role, …/<role> answers
//   {Code, LastUpdated, Type, AccessKeyId, SecretAccessKey, Token, Expiration} with ISO times in whole seconds.
// - The hop limit (HttpPutResponseHopLimit 1 in a container): the PUT reaches IMDS but its answer never
//   comes back ("hang" here).
import { randomBytes } from "node:crypto";
import type { Credentials } from "./aws-endpoint.ts";
import { CredentialIssuer, headerOf, isoSeconds, LoopbackServer, type IssuedCredentials, type StandInAnswer, type StandInRequest,
  type TestClock } from "./credential-stand-in.ts";

const TOKEN_PATH = "/latest/api/token";
const ROLES_PATH = "/latest/meta-data/iam/security-credentials/";

export interface ImdsOptions {
  clock: TestClock;
  /** The Lambda stand-ins' table of accepted keys: issued credentials are added to it. */
  accepted: Record<string, Credentials>;
  /** The instance profile's role (null: no role attached, 404 on the listing). */
  roleName?: string | null;
}

/** Calls counted by kind. */
export interface ImdsCounts {
  tokenPuts: number;
  listings: number;
  documents: number;
  /** GETs refused 401 (no, invalid or expired token). */
  unauthorized: number;
}

export class ImdsStandIn {
  /** HttpTokens "optional": GETs without a token are answered (IMDSv1). Off by default, as on AL2023. */
  v1Enabled = false;
  roleName: string | null;
  /** Appended to the role listing (real IMDS sends none; a newline tests the filter's trimming). */
  listingSuffix = "";
  /** Instance metadata turned off: 403 to everything. */
  disabled = false;
  /** Never answer the token PUT (a container behind hop limit 1). */
  hangTokenPut = false;
  /** Lifetime of newly issued credentials. */
  lifetimeSeconds = 6 * 3600;
  /** Replaces the credentials document (malformed answers). */
  document: ((credentials: IssuedCredentials) => string | Buffer) | null = null;
  /** Answers a request before the stand-in does, when it returns something. */
  override: ((req: StandInRequest) => StandInAnswer | undefined) | null = null;
  readonly counts: ImdsCounts = { tokenPuts: 0, listings: 0, documents: 0, unauthorized: 0 };
  readonly issuer: CredentialIssuer;
  /** Session token → expiry (epoch ms). */
  private readonly tokens = new Map<string, number>();
  private constructor(private readonly server: LoopbackServer, private readonly options: ImdsOptions) {
    this.roleName = options.roleName === undefined ? "gateway-role" : options.roleName;
    this.issuer = new CredentialIssuer("IMDS", options.clock, options.accepted);
  }

  static async start(options: ImdsOptions): Promise<ImdsStandIn> {
    let imds: ImdsStandIn;
    const server = await LoopbackServer.start((req) => imds.handle(req));
    imds = new ImdsStandIn(server, options);
    return imds;
  }

  /** The credentials served now (issued on first use). */
  get credentials(): IssuedCredentials {
    return this.issuer.current(this.lifetimeSeconds);
  }

  /** New credentials from now on (EC2 rotates them well before the old expire). */
  rotate(): IssuedCredentials {
    return this.issuer.issue(this.lifetimeSeconds);
  }

  get received(): StandInRequest[] { return this.server.received; }
  get authority(): string { return this.server.authority; }
  get url(): string { return this.server.url; }
  close(): Promise<void> { return this.server.close(); }

  private handle(req: StandInRequest): StandInAnswer {
    if (req.path === TOKEN_PATH && req.method === "PUT") this.counts.tokenPuts++;
    const overridden = this.override?.(req);
    if (overridden) return overridden;
    if (this.disabled) return text(403, "Forbidden");
    if (req.path === TOKEN_PATH) return this.token(req);
    if (req.method !== "GET") return text(405, "Method Not Allowed");
    const token = headerOf(req, "x-aws-ec2-metadata-token");
    const tokenValid = token !== undefined && (this.tokens.get(token) ?? 0) > this.options.clock.now();
    if (token !== undefined ? !tokenValid : !this.v1Enabled) {
      this.counts.unauthorized++;
      return text(401, "Unauthorized");
    }
    if (req.path === ROLES_PATH) {
      this.counts.listings++;
      return this.roleName === null ? text(404, "Not Found") : text(200, this.roleName + this.listingSuffix);
    }
    if (this.roleName !== null && req.path === ROLES_PATH + this.roleName) {
      this.counts.documents++;
      const credentials = this.credentials;
      return { status: 200, headers: { "content-type": "text/plain" }, body: this.document ? this.document(credentials) : document(credentials, this.options.clock) };
    }
    return text(404, "Not Found");
  }

  private token(req: StandInRequest): StandInAnswer {
    if (req.method !== "PUT") return text(405, "Method Not Allowed");
    if (this.hangTokenPut) return "hang";
    if (headerOf(req, "x-forwarded-for") !== undefined) return text(403, "Forbidden");
    const ttlText = headerOf(req, "x-aws-ec2-metadata-token-ttl-seconds") ?? "";
    const ttl = /^\d{1,5}$/.test(ttlText) ? Number(ttlText) : 0;
    if (ttl < 1 || ttl > 21600) return text(400, "Missing or Invalid Parameters");
    const token = randomBytes(42).toString("base64");
    this.tokens.set(token, this.options.clock.now() + ttl * 1000);
    return { status: 200, headers: { "content-type": "text/plain", "x-aws-ec2-metadata-token-ttl-seconds": String(ttl) }, body: token };
  }
}

function text(status: number, body: string): StandInAnswer {
  return { status, headers: { "content-type": "text/plain" }, body };
}

/** The credentials document as IMDS writes it (pretty-printed, as in the EC2 User Guide's example). */
function document(credentials: IssuedCredentials, clock: TestClock): string {
  return JSON.stringify({
    Code: "Success",
    LastUpdated: isoSeconds(clock.now()),
    Type: "AWS-HMAC",
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: isoSeconds(credentials.expiration),
  }, null, 2);
}
