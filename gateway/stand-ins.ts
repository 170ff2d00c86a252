// The local stand-ins one applied config is served by: the demo function behind a URL (it checks the API
// key and the SigV4 signature the way API Gateway does) or the local Invoke API (SigV4 for lambda, the
// config's functions), plus instance metadata / container credentials and STS. They accept the keys the
// VM can sign with: the config's own, the environment's, and those the credential stand-ins issue.
import type { Server } from "node:http";
import { AwsEndpoint, type Credentials } from "../host-tests/support/aws-endpoint.ts";
import { InvokeApi } from "../host-tests/support/invoke-api.ts";
import { StreamingInvokeApi } from "../host-tests/support/stream-invoke.ts";
import { helloHandler, helloStream, helloUrl } from "./demo-function.ts";
import { baseUrl, issuedCredentials, startMetadata, startSts } from "./local-credentials.ts";
import type { PluginFacts } from "./plugin-facts.ts";

/** Keys the stand-ins accept for `plugin` in `env`. */
function acceptedCredentials(plugin: any, env: Record<string, string>): Record<string, Credentials> {
  const accepted = issuedCredentials();
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    accepted[env.AWS_ACCESS_KEY_ID] = { secretKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
  }
  const iam = plugin.authorization?.iam;
  const secret = iam?.secretkey ?? iam?.secret_key;
  if (iam?.accesskey && secret) accepted[iam.accesskey] = { secretKey: secret, ...(iam.session_token ? { sessionToken: iam.session_token } : {}) };
  return accepted;
}

export class StandIns {
  private constructor(
    private readonly fn: AwsEndpoint | InvokeApi | StreamingInvokeApi,
    private readonly metadata: Server,
    private readonly sts: AwsEndpoint,
    /** What the function stand-in is, for the start-up lines. */
    readonly description: string,
  ) {}

  /** Starts the stand-ins for one config on free loopback ports. */
  static async start(plugin: any, facts: PluginFacts, env: Record<string, string>): Promise<StandIns> {
    const accepted = acceptedCredentials(plugin, env);
    const signed = plugin.authorization?.iam !== undefined;
    const functions = facts.functions;
    const fn = facts.invoke && facts.responseStream
      ? await StreamingInvokeApi.start({ region: facts.region, iam: accepted, functions: Object.fromEntries(functions.map((name) => [name, helloStream])) })
      : facts.invoke
        ? await InvokeApi.start({ region: facts.region, credentials: accepted, functions: Object.fromEntries(functions.map((name) => [name, helloHandler])) })
        : await AwsEndpoint.start({ ...(signed ? { iam: accepted } : {}), ...(facts.apiKey ? { apiKey: facts.apiKey } : {}), handler: helloUrl });
    const what = facts.invoke
      ? `the local Invoke API${facts.responseStream ? "'s InvokeWithResponseStream" : ""} (${facts.region}, SigV4 for lambda checked; functions ${functions.join(", ")})`
      : `the demo function${signed ? " (SigV4 checked)" : ""}${facts.apiKey ? " (API key checked)" : ""}`;
    return new StandIns(fn, await startMetadata(), await startSts(accepted), what);
  }

  get functionUrl(): string {
    return this.fn.url;
  }

  get metadataUrl(): string {
    return baseUrl(this.metadata);
  }

  get stsUrl(): string {
    return this.sts.url;
  }

  /** Drops what the stand-ins recorded (they keep every request for tests; a gateway runs for long). */
  forget(): void {
    const endpoint = this.fn instanceof AwsEndpoint ? this.fn : this.fn.endpoint;
    endpoint.received.length = 0;
    this.sts.received.length = 0;
    if (this.fn instanceof InvokeApi) this.fn.background.length = 0;
    if (!(this.fn instanceof AwsEndpoint)) this.fn.invocations.length = 0;
  }

  async close(): Promise<void> {
    this.metadata.closeAllConnections();
    await Promise.all([this.fn.close(), this.sts.close(), new Promise((resolve) => this.metadata.close(resolve))]);
  }
}
