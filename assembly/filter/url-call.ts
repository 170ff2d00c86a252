// A request to an HTTP endpoint (API Gateway, a Function URL, any URL): the client's request forwarded
// with its path joined onto function_uri, and the endpoint's answer relayed as it is.
import { Config } from "../config/config";
import { Header } from "../http/header";
import { forwardedRequestHeaders, forwardedResponseHeaders, Replaced } from "../http/forwarding";
import { Answer, relayAnswer } from "./answer";

/** Callout headers: pseudo-headers for the function, the client's headers, the configured API key. */
export function urlCallHeaders(config: Config, method: string, path: string, clientHeaders: Array<Header>): Array<Header> {
  const replaced = new Replaced();
  replaced.apiKey = config.apiKey.length > 0;
  replaced.signing = config.iam != null;
  const uri = config.functionUri;
  const headers: Array<Header> = [
    new Header(":method", method),
    new Header(":path", path),
    new Header(":authority", uri.authority),
    new Header(":scheme", uri.scheme),
  ];
  const forwarded = forwardedRequestHeaders(clientHeaders, replaced);
  for (let i = 0; i < forwarded.length; i++) headers.push(forwarded[i]);
  if (config.apiKey.length > 0) headers.push(new Header("x-api-key", config.apiKey));
  return headers;
}

/** The endpoint's status, headers (hop-by-hop removed) and body go back to the client. */
export function urlCallAnswer(status: u32, response: Array<Header>, body: ArrayBuffer): Answer {
  return relayAnswer(status, forwardedResponseHeaders(response), body);
}
