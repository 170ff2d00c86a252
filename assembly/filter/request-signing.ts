// The signature of one request and what AWS says of it: the credentials it was signed with, what a
// refusal's log line quotes (the canonical request's SHA-256 and the signed headers — the canonical
// request itself would stay in memory while the call runs), and whether fetched credentials AWS called
// expired were replaced already (once per request).
import { LogLevel } from "../abi/types";
import { realtimeMillis } from "../abi/wasi";
import { IamConfig } from "../config/iam";
import { CredentialProvider } from "../credentials/provider";
import { Header } from "../http/header";
import { OutgoingRequest } from "../http/outgoing-request";
import { Credentials } from "../sigv4/credentials";
import { signRequest } from "../sigv4/signer";
import { AuthRefusal, explainRefusal, signatureRefusal, SignatureTrace } from "./auth-refusals";
import { logLine } from "./replies";

const NO_HEADERS = new Array<Header>(0);
const EMPTY_BODY = new ArrayBuffer(0);

export class RequestSigning {
  /** What signs this request (null until obtained, and always without IAM). */
  credentials: Credentials | null = null;
  private trace: SignatureTrace | null = null;
  private reauthenticated: bool = false;

  constructor(private readonly iam: IamConfig | null, private readonly provider: CredentialProvider | null) {}

  /** The signature headers for `outgoing`, [] without IAM. */
  headersFor(outgoing: OutgoingRequest): Array<Header> {
    const credentials = this.credentials;
    const iam = this.iam;
    if (credentials == null || iam == null) return NO_HEADERS;
    const signing = signRequest(outgoing, credentials, iam.scope, realtimeMillis());
    this.trace = new SignatureTrace(signing.canonicalRequestHash, signing.signedHeaders);
    return signing.headersToAdd();
  }

  /**
   * A callout's 403: true when AWS called fetched credentials expired and the request may still be repeated
   * with new ones (reauthenticate() drops them); any other refusal of the signature is explained in the log.
   */
  mayReauthenticate(logName: string, headers: Array<Header>, body: ArrayBuffer): bool {
    if (this.credentials == null) return false;
    const refusal = signatureRefusal(headers, body);
    if (refusal == AuthRefusal.ExpiredToken && !this.reauthenticated && this.provider!.rotates) return true;
    if (refusal != AuthRefusal.None) logLine(LogLevel.Error, logName + ": " + explainRefusal(refusal, headers, this.trace));
    return false;
  }

  /** Drops the credentials AWS called expired, everywhere; the request is signed again with the next ones. */
  reauthenticate(): void {
    this.reauthenticated = true;
    this.provider!.invalidate(this.credentials!);
  }

  /**
   * A proxied request's 403: the refusal goes to the client (the route carried the only attempt), but fetched
   * credentials AWS calls expired are dropped, so the next request fetches new ones; the log explains it.
   */
  proxiedRefusal(logName: string, headers: Array<Header>): void {
    if (this.credentials == null) return;
    const refusal = signatureRefusal(headers, EMPTY_BODY);
    if (refusal == AuthRefusal.None) return;
    let line = logName + ": " + explainRefusal(refusal, headers, this.trace);
    if (refusal == AuthRefusal.ExpiredToken && this.provider!.rotates) {
      this.provider!.invalidate(this.credentials!);
      line += "; they are dropped and the next request fetches new ones";
    }
    logLine(LogLevel.Error, line);
  }
}
