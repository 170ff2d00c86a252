// EC2 instance roles through instance metadata. IMDSv2: PUT /latest/api/token for a session token, then the
// role name from /latest/meta-data/iam/security-credentials/, then that role's credentials, each GET with
// the token. IMDSv1 (no token) only when configured: a silent fallback would give up v2's SSRF defences.
import { realtimeMillis } from "../abi/wasi";
import { CredentialSource } from "../config/credential-source";
import { Header } from "../http/header";
import { Attempt, AttemptOwner, CredentialAnswer, endpointRequest } from "./attempt";
import { readCredentialsDocument } from "./documents";
import { FetchedProvider } from "./fetched-provider";

const TOKEN_PATH = "/latest/api/token";
const ROLES_PATH = "/latest/meta-data/iam/security-credentials/";
/** Session tokens are asked for six hours (the maximum); one is used for a single fetch anyway. */
const TOKEN_TTL_SECONDS = "21600";

enum Step { Token, Role, Credentials }

/** A role name as IAM allows it: letters, digits and +=,.@_- (at most 64); the listing's first line. */
function roleName(body: ArrayBuffer): string {
  if (body.byteLength > 4096) return "";
  const text = String.UTF8.decode(body).trim();
  const newline = text.indexOf("\n");
  const name = (newline < 0 ? text : text.substring(0, newline)).trim();
  if (name.length == 0 || name.length > 64) return "";
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || "+=,.@_-".includes(String.fromCharCode(c));
    if (!ok) return "";
  }
  return name;
}

/** A session token is printable ASCII, no spaces. */
function sessionToken(body: ArrayBuffer): string {
  if (body.byteLength == 0 || body.byteLength > 4096) return "";
  const text = String.UTF8.decode(body).trim();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return "";
  }
  return text;
}

class InstanceAttempt extends Attempt {
  private step: Step = Step.Token;
  private token: string = "";

  constructor(owner: AttemptOwner, rootId: u32, timeoutMs: i64, private readonly source: CredentialSource) {
    super(owner, rootId, timeoutMs);
  }

  start(): void {
    if (this.source.imdsV1) {
      this.get(Step.Role, ROLES_PATH);
      return;
    }
    const request = endpointRequest(this.source.endpoint, "PUT", TOKEN_PATH);
    request.headers.push(new Header("x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS));
    this.step = Step.Token;
    this.call(this.source.endpoint, request, []);
  }

  private get(step: Step, path: string): void {
    const request = endpointRequest(this.source.endpoint, "GET", path);
    if (this.token.length > 0) request.headers.push(new Header("x-aws-ec2-metadata-token", this.token));
    this.step = step;
    this.call(this.source.endpoint, request, []);
  }

  answered(answer: CredentialAnswer): void {
    if (answer.problem.length > 0) {
      // A token PUT that never comes back is the container hop limit: the reply dies one hop short.
      this.fail(this.step == Step.Token
        ? answer.problem + " asking for an IMDSv2 token (from a container, raise the instance's HttpPutResponseHopLimit to 2)"
        : answer.problem);
      return;
    }
    const status = answer.status;
    if (status != 200) {
      const what = this.step == Step.Token ? "the IMDSv2 token request" : this.step == Step.Role ? "the role listing" : "the role's credentials";
      const hint = status == 404 && this.step == Step.Role ? " (no IAM role is attached to the instance)"
        : status == 401 && this.source.imdsV1 ? " (the instance requires IMDSv2 tokens: leave imds_version at v2)"
        : status == 401 ? " (IMDSv2 token refused)" : status == 403 ? " (instance metadata is turned off or refuses the request)" : "";
      this.fail(what + " was answered " + status.toString() + hint);
      return;
    }
    if (this.step == Step.Token) {
      this.token = sessionToken(answer.body);
      if (this.token.length == 0) { this.fail("the IMDSv2 token is empty or malformed"); return; }
      this.get(Step.Role, ROLES_PATH);
    } else if (this.step == Step.Role) {
      const role = roleName(answer.body);
      if (role.length == 0) { this.fail("the role listing names no valid role"); return; }
      this.get(Step.Credentials, ROLES_PATH + role);
    } else {
      this.settle(readCredentialsDocument(answer.body, realtimeMillis()));
    }
  }
}

export class InstanceProvider extends FetchedProvider {
  constructor(private readonly source: CredentialSource, canWait: bool) {
    super(canWait);
  }

  describe(): string {
    return this.source.describeBase();
  }

  protected newAttempt(rootId: u32, timeoutMs: i64): Attempt {
    return new InstanceAttempt(this, rootId, timeoutMs, this.source);
  }
}
