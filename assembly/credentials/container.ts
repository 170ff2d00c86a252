// ECS task roles and EKS Pod Identity: one GET to the container credentials endpoint, with
// AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header when the environment has it.
import { realtimeMillis } from "../abi/wasi";
import { CredentialSource } from "../config/credential-source";
import { Header } from "../http/header";
import { Attempt, AttemptOwner, CredentialAnswer, endpointRequest } from "./attempt";
import { readCredentialsDocument } from "./documents";
import { FetchedProvider } from "./fetched-provider";

class ContainerAttempt extends Attempt {
  constructor(owner: AttemptOwner, rootId: u32, timeoutMs: i64, private readonly source: CredentialSource) {
    super(owner, rootId, timeoutMs);
  }

  start(): void {
    const endpoint = this.source.endpoint;
    const request = endpointRequest(endpoint, "GET", endpoint.uri.path.length > 0 ? endpoint.uri.path : "/");
    request.headers.push(new Header("accept", "application/json"));
    const token = this.source.containerToken;
    if (token.length > 0) request.headers.push(new Header("authorization", token));
    this.call(endpoint, request, []);
  }

  answered(answer: CredentialAnswer): void {
    if (answer.problem.length > 0) { this.fail(answer.problem); return; }
    if (answer.status != 200) { this.fail("the endpoint answered " + answer.status.toString()); return; }
    this.settle(readCredentialsDocument(answer.body, realtimeMillis()));
  }
}

export class ContainerProvider extends FetchedProvider {
  constructor(private readonly source: CredentialSource, canWait: bool) {
    super(canWait);
  }

  describe(): string {
    return this.source.describeBase();
  }

  protected newAttempt(rootId: u32, timeoutMs: i64): Attempt {
    return new ContainerAttempt(this, rootId, timeoutMs, this.source);
  }
}
