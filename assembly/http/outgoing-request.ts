// A request the filter sends toward the function. The pseudo-header parts (method, path, query, authority,
// scheme) are kept as fields, apart from the ordinary headers, so nothing downstream re-splits `:path` or
// reads pseudo-headers back out of a header list.
import { Header } from "./header";

export class OutgoingRequest {
  method: string = "GET";
  /** Path as sent, percent-encoded, without the query. */
  path: string = "/";
  /** Query as sent, without the '?'; "" when none. */
  query: string = "";
  /** host[:port] of the function endpoint (what Host / :authority carry, and what is signed as host). */
  authority: string = "";
  scheme: string = "https";
  /** Ordinary headers, lower-case names, no pseudo-headers. */
  headers: Array<Header> = [];
  body: ArrayBuffer = new ArrayBuffer(0);
  /** Hex SHA-256 of `body` when already known (hashed as it arrived or was written); "" to hash it when signing. */
  payloadHash: string = "";

  /** The `:path` pseudo-header value: path, and `?query` when there is one. */
  get pathWithQuery(): string {
    return this.query.length > 0 ? this.path + "?" + this.query : this.path;
  }

  /** Every header for the wire: the pseudo-headers, the ordinary headers, then `extra` (e.g. a signature). */
  wireHeaders(extra: Array<Header>): Array<Header> {
    const wire = new Array<Header>(4 + this.headers.length + extra.length);
    wire[0] = new Header(":method", this.method);
    wire[1] = new Header(":path", this.pathWithQuery);
    wire[2] = new Header(":authority", this.authority);
    wire[3] = new Header(":scheme", this.scheme);
    for (let i = 0; i < this.headers.length; i++) unchecked((wire[4 + i] = unchecked(this.headers[i])));
    for (let i = 0; i < extra.length; i++) unchecked((wire[4 + this.headers.length + i] = unchecked(extra[i])));
    return wire;
  }
}
