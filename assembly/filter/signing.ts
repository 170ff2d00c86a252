// SigV4 signing of the callout with the root context's IAM credentials. X-Amz-Date comes from the WASI
// realtime clock; the payload hash covers the exact body sent. Which headers are signed is the signer's
// policy (sigv4/signed-headers-policy.ts): host, x-amz-*, content-type and x-api-key, never headers a
// proxy may add, drop or rewrite after signing.
import { realtimeMillis } from "../abi/wasi";
import { Config } from "../config/config";
import { Header, headerValue } from "../http/header";
import { signRequest } from "../sigv4/signer";

/** Appends x-amz-date, x-amz-security-token (temporary credentials) and authorization when IAM is configured. */
export function signCallout(config: Config, headers: Array<Header>, body: ArrayBuffer): void {
  const iam = config.iam;
  if (iam == null) return;
  const path = headerValue(headers, ":path");
  const question = path.indexOf("?");
  const wirePath = question < 0 ? path : path.substring(0, question);
  const rawQuery = question < 0 ? "" : path.substring(question + 1);
  const signed = signRequest(headerValue(headers, ":method"), wirePath, rawQuery, headers, body, iam.accessKey,
    iam.secretKey, iam.sessionToken, iam.scope.region, iam.scope.service, realtimeMillis());
  const added = signed.headersToAdd();
  for (let i = 0; i < added.length; i++) headers.push(unchecked(added[i]));
}
