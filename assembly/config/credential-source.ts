// Where SigV4 credentials come from, as configured (authorization.iam.credentials and its endpoints): keys
// in the config, the VM environment, the ECS/EKS container endpoint, EC2 instance metadata, each optionally
// traded through STS AssumeRole. "chain" picks, at configure time, the first source the environment sets up,
// as the AWS SDKs do: environment keys, then a container endpoint, then instance metadata.
import { Credentials } from "../sigv4/credentials";
import { FunctionUri } from "./function-uri";

export enum CredentialKind { Static, Environment, Container, Instance }

/** An HTTP endpoint the filter calls for credentials, and the callout target that reaches it. */
export class Endpoint {
  constructor(public uri: FunctionUri, public upstream: string) {}

  /** scheme://host[:port] — never the path, which may carry a per-task id. */
  get origin(): string {
    return this.uri.scheme + "://" + this.uri.authority;
  }
}

/** STS AssumeRole: the role, its optional external id, the session, and the STS endpoint and region. */
export class AssumeRoleSpec {
  roleArn: string = "";
  externalId: string = "";
  sessionName: string = "aws-lambda-wasm";
  durationSeconds: i32 = 3600;
  sts: Endpoint = new Endpoint(new FunctionUri(), "");
  /** Region of the STS signature (the endpoint's, else authorization.iam's). */
  region: string = "us-east-1";
}

export class CredentialSource {
  kind: CredentialKind = CredentialKind.Static;
  /** "chain" when the chain chose `kind`, for the configure log line. */
  chosenByChain: bool = false;
  /** Static and environment credentials. */
  fixed: Credentials = new Credentials("", "", "");
  /** Container and instance sources. */
  endpoint: Endpoint = new Endpoint(new FunctionUri(), "");
  /** AWS_CONTAINER_AUTHORIZATION_TOKEN, sent as Authorization (a secret: never logged). */
  containerToken: string = "";
  /** IMDSv1: no session token, only when configured. */
  imdsV1: bool = false;
  assumeRole: AssumeRoleSpec | null = null;

  /** True when the credentials are fetched and expire (everything but static keys and the environment's). */
  get fetched(): bool {
    return this.kind == CredentialKind.Container || this.kind == CredentialKind.Instance || this.assumeRole != null;
  }

  /** What the credentials are fetched from, for logs and replies (no secrets, no paths). */
  describeBase(): string {
    switch (this.kind) {
      case CredentialKind.Static: return "static keys";
      case CredentialKind.Environment: return "environment";
      case CredentialKind.Container: return "container endpoint " + this.endpoint.origin;
      default: return "instance metadata " + this.endpoint.origin + (this.imdsV1 ? " (IMDSv1)" : " (IMDSv2)");
    }
  }

  /** The whole source, e.g. "instance metadata http://169.254.169.254 (IMDSv2), then AssumeRole arn:…". */
  describe(): string {
    const role = this.assumeRole;
    return (this.chosenByChain ? "chain: " : "") + this.describeBase()
      + (role != null ? ", then AssumeRole " + role.roleArn : "");
  }

  /** Identity of the base credentials: root contexts with the same one share one cache. */
  baseKey(): string {
    switch (this.kind) {
      case CredentialKind.Static:
      case CredentialKind.Environment:
        return "keys|" + this.fixed.accessKeyId + "|" + this.fixed.secretAccessKey + "|" + this.fixed.sessionToken;
      case CredentialKind.Container:
        return "container|" + this.endpoint.uri.scheme + "://" + this.endpoint.uri.authority + this.endpoint.uri.path
          + "|" + this.endpoint.upstream + "|" + this.containerToken;
      default:
        return "instance|" + this.endpoint.origin + "|" + this.endpoint.upstream + (this.imdsV1 ? "|v1" : "|v2");
    }
  }

  /** Identity of the credentials that sign: the base's, or the assumed role's on top of it. */
  key(): string {
    const role = this.assumeRole;
    if (role == null) return this.baseKey();
    return "assume|" + role.roleArn + "|" + role.externalId + "|" + role.sessionName + "|" + role.durationSeconds.toString()
      + "|" + role.sts.origin + "|" + role.sts.upstream + "|" + role.region + "|" + this.baseKey();
  }
}
