// Everything a credentials test runs against, on loopback: a movable clock, the Lambda stand-ins (API
// Gateway style and the Invoke API) accepting only credentials the credential stand-ins issued, instance
// metadata, a container endpoint, STS; and emulated hosts whose callouts reach them (Envoy: a cluster per
// endpoint named by its default upstream, host:port; APISIX: host:port as it is).
import { Host, LogLevel, type HostOptions, type Profile } from "../../emulator/index.ts";
import { AwsEndpoint, type Credentials, type Handler } from "./aws-endpoint.ts";
import { ContainerEndpoint } from "./container-endpoint.ts";
import { TestClock } from "./credential-stand-in.ts";
import { ImdsStandIn } from "./imds.ts";
import { InvokeApi } from "./invoke-api.ts";
import { StsStandIn } from "./sts.ts";

export const REGION = "us-east-1";
export const CONTAINER_TOKEN = "Pod-Identity-Token.eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu";
/** Long-lived keys that may only sign STS calls (the base of AssumeRole on top of static keys). */
export const BASE_KEYS = { accesskey: "AKIABASEKEYEXAMPLE", secretkey: "baseSecretKey/EXAMPLE+9f8e7d" };
export const ROLE_ARN = "arn:aws:iam::210987654321:role/cross-account/lambda-invoker";

/** Answers with the signing access key and whether a session token came along. */
const whoSigned: Handler = (req) => ({
  body: JSON.stringify({ accessKey: req.signed?.accessKey, token: req.headers.some(([k]) => k === "x-amz-security-token") }),
});

export class CredentialRig {
  readonly clock = new TestClock();
  /** Keys the Lambda stand-ins accept: only what the credential stand-ins issued. */
  readonly accepted: Record<string, Credentials> = {};
  /** Keys STS accepts as the base of AssumeRole: the static base keys and whatever the stand-ins issued. */
  readonly stsBase: Record<string, Credentials> = { [BASE_KEYS.accesskey]: { secretKey: BASE_KEYS.secretkey } };
  /** Access keys the Lambda stand-ins call expired. */
  readonly expired = new Set<string>();
  lambda!: AwsEndpoint;
  invoke!: InvokeApi;
  imds!: ImdsStandIn;
  container!: ContainerEndpoint;
  sts!: StsStandIn;

  static async start(): Promise<CredentialRig> {
    const rig = new CredentialRig();
    const { clock, accepted, expired } = rig;
    rig.lambda = await AwsEndpoint.start({ iam: accepted, expiredTokens: expired, now: clock.now, sendDate: true, region: REGION,
      service: "execute-api", handler: whoSigned });
    rig.invoke = await InvokeApi.start({ region: REGION, iam: accepted, expiredTokens: expired, now: clock.now, sendDate: true,
      functions: { who: (_event, context) => ({ statusCode: 200, body: context.functionName }) } });
    // Base credentials issued by instance metadata or the container endpoint may sign STS calls too.
    const issuedToBoth = new Proxy(accepted, {
      set: (target, key, value) => {
        target[key as string] = value;
        rig.stsBase[key as string] = value;
        return true;
      },
    });
    rig.imds = await ImdsStandIn.start({ clock, accepted: issuedToBoth });
    rig.container = await ContainerEndpoint.start({ clock, accepted: issuedToBoth, authToken: CONTAINER_TOKEN });
    rig.sts = await StsStandIn.start({ clock, base: rig.stsBase, accepted, region: REGION });
    return rig;
  }

  /** More host:port callout targets the hosts know (e.g. a port nothing listens on). */
  readonly extraAuthorities: string[] = [];

  /** Every stand-in's authority (Envoy cluster names; APISIX upstreams). */
  private get authorities(): string[] {
    return [this.lambda.authority, this.invoke.authority, this.imds.authority, this.container.authority, this.sts.authority,
      ...this.extraAuthorities];
  }

  /** A host whose callouts reach the stand-ins; the WASI clock is the rig's. */
  host(profile: Profile, options: Partial<HostOptions> = {}): Promise<Host> {
    return Host.load({
      profile, callouts: "http", now: this.clock.now,
      clusters: Object.fromEntries(this.authorities.map((a) => [a, `http://${a}`])),
      resolve: (authority) => (this.authorities.includes(authority) ? `http://${authority}` : null),
      ...options,
    });
  }

  /** A plugin config calling the API Gateway stand-in with `iam`. */
  config(iam: object, extra: object = {}): object {
    return { function_uri: `${this.lambda.url}/fn`, authorization: { iam: { aws_region: REGION, service: "execute-api", ...iam } }, ...extra };
  }

  /** iam settings for instance metadata at the stand-in. */
  get instance(): object {
    return { credentials: "instance", imds_endpoint: this.imds.url };
  }

  /** iam settings for the container endpoint stand-in (its token from the VM environment). */
  get containerIam(): object {
    return { credentials: "container", container_endpoint: this.container.fullUri };
  }

  /** assume_role settings at the STS stand-in. */
  assumeRole(extra: object = {}): object {
    return { role_arn: ROLE_ARN, sts_endpoint: this.sts.url, ...extra };
  }

  async close(): Promise<void> {
    await Promise.all([this.lambda.close(), this.invoke.close(), this.imds.close(), this.container.close(), this.sts.close()]);
  }
}

/** Every secret the rig's stand-ins handed out or were configured with. */
export function secretsOf(rig: CredentialRig): string[] {
  const issued = [...rig.imds.issuer.issued, ...rig.container.issuer.issued, ...rig.sts.issuer.issued];
  return [CONTAINER_TOKEN, BASE_KEYS.secretkey, ...issued.flatMap((c) => [c.secretAccessKey, c.sessionToken])];
}

/** Log lines, reply bodies and metric names that carry one of `secrets` (expect none). */
export function leaks(host: Host, secrets: string[], bodies: Buffer[] = []): string[] {
  const texts = [...host.getLogs(LogLevel.Trace).map((l) => l.message), ...bodies.map((b) => b.toString("latin1")),
    ...host.getMetrics().keys(), ...host.getHostEvents()];
  return texts.filter((text) => secrets.some((secret) => secret.length > 0 && text.includes(secret)));
}

/** The error log lines of `host`. */
export function errorLines(host: Host): string[] {
  return host.getLogs(LogLevel.Error).map((l) => l.message);
}
