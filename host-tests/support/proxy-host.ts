// The real filter in proxy mode on an emulated host whose route leads to a loopback endpoint standing in for
// the function: on Envoy a virtual host for the function's authority routing to a cluster (the same name
// also serves the callouts a bodiless Invoke request makes), with allow_on_headers_stop_iteration as the
// README configures it; on APISIX the route's upstream (node = the function host:443, pass_host "pass"),
// resolved to the endpoint. HTTPS is what a real deployment uses; the loopback endpoints speak HTTP.
import { Host, type HostOptions, type Profile } from "../../emulator/index.ts";

export interface ProxyTarget {
  /** The endpoint's base URL (http://127.0.0.1:port). */
  url: string;
}

/** A host whose proxied requests for `functionHost` (and callouts to it) reach `target`. */
export function proxyHost(profile: Profile, functionHost: string, target: ProxyTarget, options: Partial<HostOptions> = {}): Promise<Host> {
  return Host.load({
    profile, allowOnHeadersStopIteration: true, callouts: "http",
    clusters: { [functionHost]: target.url }, routes: { [functionHost]: functionHost },
    upstream: { scheme: "http", node: `${functionHost}:443`, passHost: "pass" },
    resolve: () => target.url,
    ...options,
  });
}

/** A Function URL host in us-east-1. */
export const FUNCTION_URL_HOST = "abcdefghijklmnopqrstuvwxyz123456.lambda-url.us-east-1.on.aws";
export const KEYS = { accesskey: "AKIDPROXYEXAMPLE", secretkey: "proxySecret/EXAMPLEKEY+1" };
export const IAM = { iam: { ...KEYS } };
