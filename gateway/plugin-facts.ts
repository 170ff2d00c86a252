// What the local gateway needs to know about an accepted plugin config: where its callouts go (the
// function or the Invoke API, and the credential endpoints: instance metadata, container, STS, with the
// filter's own defaults), the functions it may invoke, and the secrets it carries (for redaction).
import { functionEndpoint, upstreamName } from "../cli/render-envoy.mjs";

/** One place the filter calls out to: its `upstream` name and the origin it stands for. */
export interface Destination {
  upstream: string;
  /** scheme://host[:port] of the real service. */
  origin: string;
}

export interface PluginFacts {
  invoke: boolean;
  /** mode "proxy": the host's route carries the request (Envoy: a virtual host for the function; APISIX: the route's upstream). */
  proxy: boolean;
  /** response_stream: InvokeWithResponseStream. */
  responseStream: boolean;
  /** The function (URL) or the Invoke API. */
  target: Destination;
  /** `upstream` names another host[:port] than the default (a bare Envoy cluster name points nowhere). */
  upstreamElsewhere: boolean;
  /** Invoke API region and the function names a request may reach. */
  region: string;
  functions: string[];
  /** Instance metadata, container credentials and STS endpoints the config may use. */
  credentialEndpoints: Destination[];
  assumeRole: boolean;
  /** Secrets written in the config, and the variable apikey_env names. */
  secrets: string[];
  apiKey?: string;
  apiKeyVariable?: string;
  pathPrefix?: string;
}

/** The host[:port] (lower case) and origin of an http(s) URL, as the filter reads a credentials endpoint. */
function destination(url: string, upstream?: string): Destination | null {
  const match = /^(https?):\/\/([^/?#]*)/i.exec(url);
  if (!match) return null;
  const authority = match[2].toLowerCase();
  return { upstream: upstream ?? authority, origin: `${match[1].toLowerCase()}://${authority}` };
}

/** The SigV4 region: configured, from the endpoint host (execute-api, lambda-url, Invoke API), else us-east-1. */
function signingRegion(plugin: any, host: string): string {
  const configured = plugin.authorization?.iam?.aws_region;
  if (configured) return configured;
  const match = /\.(?:execute-api|lambda-url)\.([a-z0-9-]+)\.|^lambda\.([a-z0-9-]+)\.amazonaws\.com/.exec(host);
  return match?.[1] ?? match?.[2] ?? "us-east-1";
}

/** Where the filter takes credentials from, as assembly/config/iam.ts picks it (chain: keys, container, instance). */
function credentialSource(iam: any, env: Record<string, string>): "keys" | "container" | "instance" {
  const kind = iam.credentials ?? (iam.accesskey !== undefined ? "static" : "chain");
  if (kind === "static" || kind === "environment") return "keys";
  if (kind === "container" || kind === "instance") return kind;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return "keys";
  const container = iam.container_endpoint ?? env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ?? env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  return container ? "container" : "instance";
}

function credentialEndpoints(iam: any, env: Record<string, string>, region: string): Destination[] {
  if (!iam) return [];
  const found: (Destination | null)[] = [];
  const source = credentialSource(iam, env);
  if (source === "instance") found.push(destination(iam.imds_endpoint ?? env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? "http://169.254.169.254", iam.imds_upstream));
  if (source === "container") {
    const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
    found.push(destination(iam.container_endpoint ?? (relative ? `http://169.254.170.2${relative}` : env.AWS_CONTAINER_CREDENTIALS_FULL_URI),
      iam.container_upstream));
  }
  const role = iam.assume_role;
  if (role) {
    const sts = role.sts_endpoint ?? `https://sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
    found.push(destination(sts, role.sts_upstream));
  }
  return found.filter((d): d is Destination => d !== null);
}

/** Facts about `plugin` (accepted by the filter) in the VM environment `env`. */
export function pluginFacts(plugin: any, env: Record<string, string>): PluginFacts {
  const endpoint = functionEndpoint(plugin);
  const invoke = /^(?:arn:|\d{12}:function:)/.test(plugin.function_uri);
  const upstream = upstreamName(plugin);
  const region = signingRegion(plugin, endpoint.host);
  const arnName = invoke ? /:function:([^:]+)/.exec(plugin.function_uri)?.[1] : undefined;
  const authorization = plugin.authorization ?? {};
  const iam = authorization.iam;
  const secrets = [authorization.apikey, iam?.accesskey, iam?.secretkey, iam?.secret_key, iam?.session_token]
    .filter((s): s is string => typeof s === "string" && s.length > 0);
  const apiKey = authorization.apikey ?? (authorization.apikey_env ? env[authorization.apikey_env] : undefined);
  return {
    invoke,
    proxy: plugin.mode === "proxy",
    responseStream: plugin.response_stream === true,
    target: { upstream, origin: `${endpoint.scheme}://${endpoint.authority}` },
    upstreamElsewhere: typeof plugin.upstream === "string" && plugin.upstream !== endpoint.authority
      && (/[.:]/.test(plugin.upstream) || plugin.upstream === "localhost"),
    region,
    functions: [...new Set([arnName, ...(plugin.allowed_functions ?? [])].filter((n): n is string => typeof n === "string"))],
    credentialEndpoints: credentialEndpoints(iam, env, region),
    assumeRole: iam?.assume_role !== undefined,
    secrets,
    ...(apiKey ? { apiKey } : {}),
    ...(authorization.apikey_env ? { apiKeyVariable: authorization.apikey_env } : {}),
    ...(typeof plugin.path_prefix === "string" ? { pathPrefix: plugin.path_prefix.replace(/\/+$/, "") } : {}),
  };
}

/** The APISIX docs' example endpoints (the seed scenario): nobody's real function, so local by default. */
export const EXAMPLE_HOSTS = ["x9w6z07gb9.execute-api.us-east-1.amazonaws.com", "ajycz5e0v9.execute-api.us-east-1.amazonaws.com",
  // The proxy-mode examples' Function URL (examples/proxy/).
  "example0function0url0stand0in000.lambda-url.us-east-1.on.aws"];

/** Whether the gateway sends this config's callouts to the stand-ins: --local, an ARN without its own upstream, or an example endpoint. */
export function runsLocally(facts: PluginFacts, forced: boolean): boolean {
  if (forced) return true;
  if (facts.invoke) return !facts.upstreamElsewhere;
  return EXAMPLE_HOSTS.includes(new URL(facts.target.origin).host.replace(/:\d+$/, ""));
}
