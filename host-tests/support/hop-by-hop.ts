// Which header fields must not cross the filter, taken from the specification and the README, not from
// the filter's code (assembly/http/forwarding.ts), so the fuzzers can catch a name missing there.
//   RFC 9110 §7.6.1 (Connection): an intermediary removes Connection, every field named in it, and the
//     fields known to be connection-specific: Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade.
//   RFC 9110 §11.7.1: Proxy-Authenticate applies only to the next outbound client (response side).
//   README, "What the filter does with a request": `trailer`, `proxy-authorization`, `content-length` (the
//     host reframes) and `host` are not forwarded either; the reply loses hop-by-hop and framing headers.

/** Header pairs as a host hands them over. */
type Pairs = ReadonlyArray<readonly [string, string]>;

/** RFC 9110 §7.6.1: Connection and the connection-specific fields it names. */
export const CONNECTION_SPECIFIC: readonly string[] = ["connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade"];

/** README: further client headers that never reach the function. */
const NOT_FORWARDED_BY_README = ["trailer", "proxy-authorization", "content-length", "host"];

/** Fields never forwarded toward the function, whatever the client's Connection header says. */
export const NEVER_FORWARDED: ReadonlySet<string> = new Set([...CONNECTION_SPECIFIC, ...NOT_FORWARDED_BY_README]);

/**
 * Fields never relayed to the client: the RFC 9110 §7.6.1 set, the README's hop-by-hop names, and
 * Proxy-Authenticate (§11.7.1). Content-Length is framing too, but the host writes its own, so a relayed
 * reply may carry one.
 */
export const NEVER_RELAYED: ReadonlySet<string> = new Set([...CONNECTION_SPECIFIC, "trailer", "proxy-authorization", "proxy-authenticate"]);

/** ASCII lower case: field names are case-insensitive tokens (RFC 9110 §5.1). */
const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * The field names listed in the Connection fields of `pairs` (RFC 9110 §7.6.1: a comma-separated list of
 * connection-options, optional whitespace around each), lower case.
 */
export function connectionListed(pairs: Pairs): Set<string> {
  const listed = new Set<string>();
  for (const [name, value] of pairs) {
    if (lower(name) !== "connection") continue;
    for (const option of value.split(",")) {
      const token = option.replace(/^[ \t]+|[ \t]+$/g, "");
      if (token !== "") listed.add(lower(token));
    }
  }
  return listed;
}
