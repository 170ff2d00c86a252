// STS AssumeRole for cross-account functions: the base credentials (from any source) sign a POST of the
// Query API to STS; the answer is asked for as JSON (Accept: application/json, which STS honours though it
// documents only XML) and read in either form.
import { realtimeMillis } from "../abi/wasi";
import { AssumeRoleSpec } from "../config/credential-source";
import { Header } from "../http/header";
import { uriEncode } from "../kernel/percent";
import { Credentials, SigningScope } from "../sigv4/credentials";
import { signRequest } from "../sigv4/signer";
import { Attempt, AttemptOwner, CredentialAnswer, endpointRequest } from "./attempt";
import { readAssumeRoleAnswer, stsErrorCode } from "./documents";
import { FetchedProvider } from "./fetched-provider";
import { CredentialProvider, CredentialWaiter } from "./provider";

/** The Query API form for AssumeRole. */
function assumeRoleForm(spec: AssumeRoleSpec): ArrayBuffer {
  let form = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + uriEncode(spec.roleArn) + "&RoleSessionName="
    + uriEncode(spec.sessionName) + "&DurationSeconds=" + spec.durationSeconds.toString();
  if (spec.externalId.length > 0) form += "&ExternalId=" + uriEncode(spec.externalId);
  return String.UTF8.encode(form);
}

class AssumeRoleAttempt extends Attempt implements CredentialWaiter {
  private base: Credentials | null = null;

  constructor(owner: AttemptOwner, rootId: u32, timeoutMs: i64, private readonly spec: AssumeRoleSpec,
    private readonly baseProvider: CredentialProvider) {
    super(owner, rootId, timeoutMs);
  }

  start(): void {
    this.baseProvider.obtain(this, this.rootId, this.timeoutMs);
  }

  credentialsReady(credentials: Credentials): void {
    if (this.finished) return;
    this.base = credentials;
    const spec = this.spec;
    const request = endpointRequest(spec.sts, "POST", spec.sts.uri.path.length > 0 ? spec.sts.uri.path : "/");
    request.headers.push(new Header("content-type", "application/x-www-form-urlencoded; charset=utf-8"));
    request.headers.push(new Header("accept", "application/json"));
    request.body = assumeRoleForm(spec);
    const signature = signRequest(request, credentials, new SigningScope(spec.region, "sts"), realtimeMillis());
    this.call(spec.sts, request, signature.headersToAdd());
  }

  credentialsFailed(cause: string): void {
    this.fail("no base credentials (" + cause + ")");
  }

  fail(cause: string): void {
    this.baseProvider.forget(this);
    super.fail(cause);
  }

  answered(answer: CredentialAnswer): void {
    if (answer.problem.length > 0) { this.fail(answer.problem); return; }
    if (answer.status != 200) {
      const code = stsErrorCode(answer.body);
      const base = this.base;
      // Expired base credentials (e.g. from the environment's session): fetched ones are fetched anew next time.
      if (base != null && code.startsWith("ExpiredToken")) this.baseProvider.invalidate(base);
      this.fail("STS answered " + answer.status.toString() + (code.length > 0 ? " " + code : ""));
      return;
    }
    this.settle(readAssumeRoleAnswer(answer.body, realtimeMillis()));
  }
}

export class AssumeRoleProvider extends FetchedProvider {
  constructor(private readonly spec: AssumeRoleSpec, private readonly base: CredentialProvider, canWait: bool) {
    super(canWait);
  }

  describe(): string {
    return "STS AssumeRole of " + this.spec.roleArn + " at " + this.spec.sts.origin;
  }

  protected newAttempt(rootId: u32, timeoutMs: i64): Attempt {
    return new AssumeRoleAttempt(this, rootId, timeoutMs, this.spec, this.base);
  }
}
