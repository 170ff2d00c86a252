// A loopback stand-in for the ECS / EKS Pod Identity container credentials endpoint, written from:
// - Amazon ECS Best Practices Guide, "Using IAM roles with Amazon ECS tasks"
//   (https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/security-iam-roles.html): the agent
//   serves the task role at http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI as
//   {RoleArn, AccessKeyId, SecretAccessKey, Token, Expiration}.
// - AWS SDKs and Tools Reference Guide, "Container credential provider"
//   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html):
//   AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN sent verbatim as the
//   Authorization header (EKS Pod Identity's agent at 169.254.170.23 checks it).
// A missing Authorization is answered 401, a wrong one 403, another path 404 ({"code","message"} bodies as
// the agents send); Expiration is RFC 3339 in whole seconds.
import type { Credentials } from "./aws-endpoint.ts";
import { CredentialIssuer, headerOf, isoSeconds, LoopbackServer, type IssuedCredentials, type StandInAnswer, type StandInRequest,
  type TestClock } from "./credential-stand-in.ts";

export interface ContainerEndpointOptions {
  clock: TestClock;
  /** The Lambda stand-ins' table of accepted keys: issued credentials are added to it. */
  accepted: Record<string, Credentials>;
  /** The credentials path (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI's form). */
  path?: string;
  /** The Authorization value required (AWS_CONTAINER_AUTHORIZATION_TOKEN); none when undefined. */
  authToken?: string;
}

export class ContainerEndpoint {
  readonly path: string;
  authToken: string | undefined;
  roleArn = "arn:aws:iam::123456789012:role/ecs-task-role";
  lifetimeSeconds = 6 * 3600;
  /** Replaces the credentials document (malformed answers). */
  document: ((credentials: IssuedCredentials) => string | Buffer) | null = null;
  /** Answers a request before the stand-in does, when it returns something. */
  override: ((req: StandInRequest) => StandInAnswer | undefined) | null = null;
  readonly counts = { documents: 0, refused: 0 };
  readonly issuer: CredentialIssuer;

  private constructor(private readonly server: LoopbackServer, options: ContainerEndpointOptions) {
    this.path = options.path ?? "/v2/credentials/6f1b7a2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    this.authToken = options.authToken;
    this.issuer = new CredentialIssuer("ECS", options.clock, options.accepted);
  }

  static async start(options: ContainerEndpointOptions): Promise<ContainerEndpoint> {
    let endpoint: ContainerEndpoint;
    const server = await LoopbackServer.start((req) => endpoint.handle(req));
    endpoint = new ContainerEndpoint(server, options);
    return endpoint;
  }

  get credentials(): IssuedCredentials { return this.issuer.current(this.lifetimeSeconds); }
  rotate(): IssuedCredentials { return this.issuer.issue(this.lifetimeSeconds); }
  get received(): StandInRequest[] { return this.server.received; }
  get authority(): string { return this.server.authority; }
  /** The full credentials URL (AWS_CONTAINER_CREDENTIALS_FULL_URI's form). */
  get fullUri(): string { return this.server.url + this.path; }
  close(): Promise<void> { return this.server.close(); }

  private handle(req: StandInRequest): StandInAnswer {
    const overridden = this.override?.(req);
    if (overridden) return overridden;
    if (this.authToken !== undefined) {
      const given = headerOf(req, "authorization");
      if (given === undefined) return this.refuse(401, "NoAuthorization", "Authorization header is missing");
      if (given !== this.authToken) return this.refuse(403, "AccessDenied", "Authorization token is not valid");
    }
    if (req.method !== "GET" || req.path !== this.path) {
      this.counts.refused++;
      return json(404, { code: "InvalidIdInRequest", message: "CredentialsV2Request: Credentials not found" });
    }
    this.counts.documents++;
    const credentials = this.credentials;
    if (this.document) return { status: 200, headers: { "content-type": "application/json" }, body: this.document(credentials) };
    return json(200, {
      RoleArn: this.roleArn,
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: isoSeconds(credentials.expiration),
    });
  }

  private refuse(status: number, code: string, message: string): StandInAnswer {
    this.counts.refused++;
    return json(status, { code, message });
  }
}

function json(status: number, body: unknown): StandInAnswer {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}
