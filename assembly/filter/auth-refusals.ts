// AWS refusing the signature of a call (403): credentials AWS calls expired, which are fetched anew and
// the call repeated once; or a signature AWS computed differently, which the log explains as far as the
// filter can — the canonical request's SHA-256 (AWS quotes it in its message) and any clock skew
// against the answer's Date, since SigV4 is refused more than 5 minutes off.
import { realtimeMillis } from "../abi/wasi";
import { Header, headerValue } from "../http/header";
import { parseHttpDate } from "../credentials/time-formats";

export enum AuthRefusal { None, ExpiredToken, BadSignature }

/** What the log says of the signature AWS refused. */
export class SignatureTrace {
  constructor(public readonly canonicalRequestHash: string, public readonly signedHeaders: string) {}
}

/** How much of a refusal's body is searched for the message. */
const SEARCHED_BYTES = 4096;
const MAX_SKEW_MS: i64 = 300_000;

function bodyText(body: ArrayBuffer): string {
  return String.UTF8.decode(body.byteLength > SEARCHED_BYTES ? body.slice(0, SEARCHED_BYTES) : body);
}

/** Which refusal a 403 is, from x-amzn-errortype (Lambda, API Gateway) or the message text. */
export function signatureRefusal(headers: Array<Header>, body: ArrayBuffer): AuthRefusal {
  let type = headerValue(headers, "x-amzn-errortype");
  const colon = type.indexOf(":");
  if (colon >= 0) type = type.substring(0, colon);
  if (type == "ExpiredTokenException" || type == "ExpiredToken") return AuthRefusal.ExpiredToken;
  if (type == "InvalidSignatureException" || type == "SignatureDoesNotMatch") return AuthRefusal.BadSignature;
  const text = bodyText(body);
  if (text.includes("ExpiredToken") || text.includes("security token included in the request is expired")) {
    return AuthRefusal.ExpiredToken;
  }
  if (text.includes("SignatureDoesNotMatch") || text.includes("signature we calculated does not match")
    || text.includes("Signature expired")) return AuthRefusal.BadSignature;
  return AuthRefusal.None;
}

/** The log line's explanation of a refusal. */
export function explainRefusal(refusal: AuthRefusal, headers: Array<Header>, signing: SignatureTrace | null): string {
  let text = refusal == AuthRefusal.ExpiredToken ? "AWS refused the credentials as expired"
    : "AWS refused the signature";
  if (signing != null) {
    text += " (canonical request SHA-256 " + signing.canonicalRequestHash + ", signed headers " + signing.signedHeaders + ")";
  }
  const date = parseHttpDate(headerValue(headers, "date"));
  if (date > 0) {
    const skew = realtimeMillis() - date;
    if (skew > MAX_SKEW_MS || skew < -MAX_SKEW_MS) {
      text += "; the filter's clock is " + ((skew < 0 ? -skew : skew) / 1000).toString() + " s "
        + (skew > 0 ? "ahead of" : "behind") + " AWS's (its Date header): SigV4 allows 5 minutes";
    }
  }
  return text;
}
