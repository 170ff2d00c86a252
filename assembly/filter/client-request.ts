// The client's request as the filter reads it once, at request headers: method, path and query split
// apart a single time, and the headers the host handed over.
import { Header, headerValue } from "../http/header";

export class ClientRequest {
  method: string = "GET";
  /** Path as the client sent it (raw, percent-encoded), without the query. */
  path: string = "/";
  /** Query as sent, without the '?'; "" when none. */
  query: string = "";
  /** Every header as the host gave it, pseudo-headers included. */
  headers: Array<Header> = [];

  /** Reads method, path and query from the pseudo-headers (GET and / when the host left them out). */
  static from(headers: Array<Header>): ClientRequest {
    const request = ClientRequest.named(headerValue(headers, ":method"), headerValue(headers, ":path"));
    request.headers = headers;
    return request;
  }

  /** A request known only by its `:method` and `:path` values (null or "" when missing), without headers. */
  static named(method: string | null, target: string | null): ClientRequest {
    const request = new ClientRequest();
    if (method != null && method.length > 0) request.method = method;
    if (target != null && target.length > 0) {
      const question = target.indexOf("?");
      request.path = question < 0 ? target : target.substring(0, question);
      request.query = question < 0 ? "" : target.substring(question + 1);
    }
    return request;
  }

  /** METHOD and path without the query, for log lines (a query may carry tokens). */
  get logName(): string {
    return this.method + " " + this.path;
  }

  /** The first value of header `name` (lower case), "" when absent. */
  header(name: string): string {
    return headerValue(this.headers, name);
  }

  /** The Content-Length the client declared, -1 when absent or unreadable. */
  declaredContentLength(): i64 {
    const text = this.header("content-length");
    if (text.length == 0 || text.length > 18) return -1;
    let value: i64 = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return -1;
      value = value * 10 + (c - 0x30);
    }
    return value;
  }

  /** HTTP's idempotent methods (RFC 9110 §9.2.2): repeating them is safe. */
  get isIdempotent(): bool {
    const m = this.method;
    return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE";
  }
}
