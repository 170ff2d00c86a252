// Where a request goes, behind one interface: a URL endpoint (API Gateway, a Function URL) or the Lambda
// Invoke API. The stream asks its target, in order, to accept the request, to build what is sent from it
// and its body, and to read the function's answer; it never needs to know which kind it has.
import { Header } from "../http/header";
import { OutgoingRequest } from "../http/outgoing-request";
import { Answer } from "./answer";
import { ClientRequest } from "./client-request";
import { ProxyResponse } from "./proxy-response";

export abstract class Target {
  /** What goes to the function, once build() succeeded (signed separately on every attempt). */
  outgoing: OutgoingRequest = new OutgoingRequest();

  /** At request headers: null when the request may go on, else the answer that refuses it. */
  abstract accept(request: ClientRequest): Answer | null;

  /**
   * With the whole body: fills `outgoing`; null when it can be sent, else the answer that refuses it.
   * `bodyHash` is the body's hex SHA-256 when it was hashed as it arrived ("" when not).
   */
  abstract build(request: ClientRequest, body: ArrayBuffer, bodyHash: string): Answer | null;

  /** The function's answer (a valid status, its headers and whole body) as the client's reply. */
  abstract read(status: u32, headers: Array<Header>, body: ArrayBuffer): Answer;

  /** Whether an attempt that failed with a retryable answer may be repeated, after `attempts` tries. */
  mayRetry(request: ClientRequest, attempts: i32): bool {
    return false;
  }

  /** Proxy mode: what reads the function's response on its way to the client; null lets it pass untouched. */
  proxyResponse(): ProxyResponse | null {
    return null;
  }

  /** True when the payload signed is the client's body as it came, so it is hashed as it arrives. */
  get sendsBodyAsIs(): bool {
    return true;
  }

  /** Proxy mode: true when what is sent has a body of its own (an event), which must replace the client's. */
  get replacesBody(): bool {
    return false;
  }
}
