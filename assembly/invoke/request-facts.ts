// What an event tells the function about the client request, gathered once per request: the fields of
// API Gateway's requestContext that a proxy-wasm filter can know.
import { Header } from "../http/header";

export class RequestFacts {
  method: string = "GET";
  /** Path the function sees: after path_prefix (and the function's own segment), percent-encoded as sent. */
  rawPath: string = "/";
  /** Query string without '?', as sent. */
  rawQuery: string = "";
  /** Client headers, lower-case names, pseudo-headers and hop-by-hop headers removed, in order. */
  headers: Array<Header> = [];
  body: ArrayBuffer = new ArrayBuffer(0);
  /** The client's address (host property, else the first X-Forwarded-For entry). */
  sourceIp: string = "";
  requestId: string = "";
  /** Host the client addressed (:authority / host). */
  domainName: string = "";
  protocol: string = "HTTP/1.1";
  timeEpochMillis: i64 = 0;
  /** Account of the function's ARN, reported as requestContext.accountId. */
  accountId: string = "";

  /** The first value of a header, "" when absent. */
  header(name: string): string {
    for (let i = 0; i < this.headers.length; i++) {
      if (this.headers[i].name == name) return this.headers[i].value;
    }
    return "";
  }
}
