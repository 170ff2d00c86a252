// A request to an HTTP endpoint (API Gateway, a Function URL, any URL): the client's request forwarded
// with its path joined onto function_uri, and the endpoint's answer relayed as it is.
import { Config } from "../config/config";
import { Header } from "../http/header";
import { forwardedRequestHeaders, forwardedResponseHeaders, Replaced } from "../http/forwarding";
import { joinRequestPath } from "../http/request-path";
import { Answer, failAnswer, relayAnswer } from "./answer";
import { ClientRequest } from "./client-request";
import { Failure } from "./failures";
import { Target } from "./target";

export class UrlTarget extends Target {
  constructor(private readonly config: Config) {
    super();
  }

  accept(request: ClientRequest): Answer | null {
    const config = this.config;
    const uri = config.functionUri;
    const joined = joinRequestPath(request.path, request.query, uri.path, uri.query, config.hasPathPrefix, config.pathPrefix);
    if (!joined.ok) return failAnswer(joined.status == 404 ? Failure.OutsidePrefix : Failure.BadPath, joined.reason);
    const outgoing = this.outgoing;
    outgoing.method = request.method;
    outgoing.path = joined.path;
    outgoing.query = joined.query;
    outgoing.authority = uri.authority;
    outgoing.scheme = uri.scheme;
    return null;
  }

  /** The client's headers minus what the filter replaces, the configured API key, the body as it came. */
  build(request: ClientRequest, body: ArrayBuffer, bodyHash: string): Answer | null {
    const config = this.config;
    const replaced = new Replaced();
    replaced.apiKey = config.apiKey.length > 0;
    replaced.signing = config.iam != null;
    const headers = forwardedRequestHeaders(request.headers, replaced);
    if (config.apiKey.length > 0) headers.push(new Header("x-api-key", config.apiKey));
    this.outgoing.headers = headers;
    this.outgoing.body = body;
    this.outgoing.payloadHash = bodyHash;
    return null;
  }

  /** The endpoint's status, headers (hop-by-hop removed) and body go back to the client. */
  read(status: u32, headers: Array<Header>, body: ArrayBuffer): Answer {
    return relayAnswer(status, forwardedResponseHeaders(headers), body);
  }
}
