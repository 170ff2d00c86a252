// Region and service for SigV4 when the config does not name them, read from the endpoint's host name
// the way AWS names its endpoints. Explicit config always wins; otherwise APISIX's defaults apply.

export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_SERVICE = "execute-api";

/** Where a signing scope came from, for the configure-time log line. */
export class AwsScope {
  constructor(public region: string, public service: string, public source: string) {}
}

function isRegion(text: string): bool {
  if (text.length == 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d)) return false;
  }
  return true;
}

/** `<id>.execute-api.<region>.amazonaws.com[.cn]` → (execute-api, region); `<id>.lambda-url.<region>.on.aws` and the Invoke API's `lambda.<region>.amazonaws.com` → (lambda, region). */
export function scopeFromHost(host: string): AwsScope | null {
  const labels = host.split(".");
  if (labels.length >= 5 && labels[1] == "execute-api" && labels[3] == "amazonaws" && isRegion(labels[2])) {
    return new AwsScope(labels[2], "execute-api", "endpoint");
  }
  if (labels.length >= 4 && labels[0] == "lambda" && labels[2] == "amazonaws" && isRegion(labels[1])) {
    return new AwsScope(labels[1], "lambda", "endpoint");
  }
  if (labels.length == 5 && labels[1] == "lambda-url" && labels[3] == "on" && labels[4] == "aws" && isRegion(labels[2])) {
    return new AwsScope(labels[2], "lambda", "endpoint");
  }
  return null;
}

/** The effective scope: each configured part wins, then the endpoint's, then the defaults. */
export function resolveScope(host: string, configuredRegion: string, configuredService: string): AwsScope {
  const fromHost = scopeFromHost(host);
  const region = configuredRegion.length > 0 ? configuredRegion : fromHost != null ? fromHost.region : DEFAULT_REGION;
  const service = configuredService.length > 0 ? configuredService : fromHost != null ? fromHost.service : DEFAULT_SERVICE;
  let source: string;
  if (configuredRegion.length > 0 && configuredService.length > 0) source = "config";
  else if (fromHost != null) source = configuredRegion.length > 0 || configuredService.length > 0 ? "config and endpoint" : "endpoint";
  else source = configuredRegion.length > 0 || configuredService.length > 0 ? "config and defaults" : "defaults";
  return new AwsScope(region, service, source);
}
