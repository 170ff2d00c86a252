// SigV4 signing of what the filter sends, with the root context's IAM credentials. X-Amz-Date comes from
// the WASI realtime clock; the payload hash covers the exact body sent. Which headers are signed is the
// signer's policy (sigv4/signed-headers-policy.ts): host, x-amz-*, content-type and x-api-key, never
// headers a proxy may add, drop or rewrite after signing.
import { realtimeMillis } from "../abi/wasi";
import { Config } from "../config/config";
import { Header } from "../http/header";
import { OutgoingRequest } from "../http/outgoing-request";
import { signRequest } from "../sigv4/signer";

const UNSIGNED = new Array<Header>(0);

/** x-amz-date, x-amz-security-token (temporary credentials) and authorization for `request`; none without IAM. */
export function signatureHeaders(config: Config, request: OutgoingRequest): Array<Header> {
  const iam = config.iam;
  if (iam == null) return UNSIGNED;
  return signRequest(request, iam.credentials, iam.scope, realtimeMillis()).headersToAdd();
}
