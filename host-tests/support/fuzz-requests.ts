// Generators of hostile client requests and hostile callout answers. Raw invalid UTF-8 reaches the
// module through the markers of fuzz-host.ts.
import fc from "fast-check";
import type { CalloutAnswer, Pairs, RequestSpec } from "../../emulator/index.ts";
import { RAW_MARKERS } from "./fuzz-host.ts";

const SEGMENTS = ["a", "fn", "x.y", "..", ".", "...", "%2e", "%2E%2e", ".%2e", "%2f", "%2F", "%5c", "%5C", "\\", "%", "%z", "%zz",
  "%2", "%00", "%0a", "%252e%252e", "%25", "é", "%C3%A9", "~", "a b", "a%20b", ";", "..;", "%u002e", "%c0%ae", "@", ":", "*",
  "a=b", "\u0000", "\r", "\t", "\x7f", "😀", "\ud800", ...RAW_MARKERS];

/** A path: a prefix the configs use (or not), segments joined by runs of '/', maybe a query. */
const pathArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 40, arbitrary: fc.tuple(
    fc.constantFrom("", "/", "/aws", "/aws/", "/awsome", "/a/b", "/a", "//aws", "/AWS", "aws"),
    fc.array(fc.tuple(fc.constantFrom("/", "//", "///", ""), fc.constantFrom(...SEGMENTS)), { maxLength: 6 }),
    fc.constantFrom("", "/", "//"),
    fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("a=1&b=2", "x=%2f..%2f", "%", "a#b", "a\rb", "q=\u0000",
      "q=" + RAW_MARKERS[6])), { nil: undefined }),
  ).map(([prefix, parts, tail, query]) => prefix + parts.map(([sep, seg]) => sep + seg).join("") + tail + (query !== undefined ? `?${query}` : "")) },
  { weight: 5, arbitrary: fc.constantFrom("http://evil/x", "https://evil.example/aws/x", "//evil/aws/x", "*", "", "?only=query",
    "/aws/../../etc/passwd", "/aws/%2e%2e/%2e%2e/x", "/aws/a/..%2f..%2fb", "/aws\\..\\x", "/aws#x", "/aws/x#/../y") },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 100000 }).map((n) => `/aws/x?${"q=%41&".repeat(n / 6 | 0)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20000 }).map((n) => `/aws/${"a/".repeat(n)}`) },
);

const HEADER_NAMES = ["host", ":authority", ":path", ":method", ":scheme", ":status", "connection", "keep-alive", "proxy-connection",
  "te", "trailer", "transfer-encoding", "upgrade", "content-length", "proxy-authorization", "x-api-key", "authorization",
  "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-target", "content-type", "x-listed", "user-agent", "x",
  "", ":", "a b", "a:b", "x\u0000y", "x\r\nhost", "x\ny", "é", "X-Upper", ...RAW_MARKERS.map((m) => `x-raw${m}`)];

const headerValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 10, arbitrary: fc.constantFrom("x-listed, te", "close", "keep-alive, x-api-key", "evil.example", "http://evil/x",
    "0", "-1", "99999999999999999999", "18446744073709551616", "1e3", " 12", "12 ", "0x10", "a\r\nhost: evil", "a\nb", "a\u0000b",
    "\r", "AWS4-HMAC-SHA256 Credential=X", "chunked") },
  { weight: 10, arbitrary: fc.array(fc.constantFrom("a", " ", "\t", "\r", "\n", "\u0000", "\x7f", "é", "\ud800", ...RAW_MARKERS), { maxLength: 10 }).map((p) => p.join("")) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 65536 }).map((n) => "v".repeat(n)) },
);

/** Client headers: hostile names and values, sometimes one header repeated many times. */
const headersArb: fc.Arbitrary<Pairs> = fc.tuple(
  fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HEADER_NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), headerValue), { maxLength: 12 }),
  fc.option(fc.tuple(fc.constantFrom(...HEADER_NAMES), headerValue, fc.integer({ min: 2, max: 300 })), { nil: undefined }),
).map(([pairs, repeated]) => {
  const out: Pairs = pairs.map(([k, v]) => [k, v]);
  if (repeated) for (let i = 0; i < repeated[2]; i++) out.push([repeated[0], repeated[1]]);
  return out;
});

/** `size` bytes of a varied pattern (fast to generate, unlike a byte-by-byte array). */
function pattern(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (seed + i * (seed | 1) + (i >> 3)) & 0xff;
  return out;
}

/** A body: none, one piece, or many small chunks; sizes around the small max_req_body_size values configs use. */
const bodyArb: fc.Arbitrary<Pick<RequestSpec, "body" | "chunks">> = fc.oneof(
  { weight: 30, arbitrary: fc.constant({}) },
  { weight: 40, arbitrary: fc.tuple(fc.nat({ max: 2100 }), fc.nat({ max: 255 })).map(([n, seed]) => ({ body: pattern(n, seed) })) },
  { weight: 20, arbitrary: fc.array(fc.nat({ max: 40 }), { maxLength: 80 }).map((sizes) => ({ chunks: sizes.map((n, i) => pattern(n, i)) })) },
  { weight: 1, arbitrary: fc.integer({ min: 65536, max: 1 << 20 }).map((n) => ({ body: Buffer.alloc(n, 0x61) })) },
  { weight: 9, arbitrary: fc.string({ maxLength: 50 }).map((s) => ({ body: s + RAW_MARKERS[0] })) },
);

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "", "get", "CONNECT", "M-SEARCH", "X_Y~1!",
  "GET /admin HTTP/1.1\r\nx-evil: 1\r\n\r\nGET", "G E T", "GET\u0000", "GÉT"];

/** A whole hostile request. `contentLength` adds a true, false or absent content-length header. */
export const requestArb: fc.Arbitrary<RequestSpec> = fc.record({
  method: fc.constantFrom(...METHODS), path: pathArb, headers: headersArb, body: bodyArb,
  authority: fc.option(fc.constantFrom("evil.example", "x9w6z07gb9.execute-api.us-east-1.amazonaws.com", "", "a\r\nb"), { nil: undefined }),
  contentLength: fc.constantFrom("none", "true", "false"),
  // Sometimes a Connection header names one of the request's own headers, which must then stay behind.
  listing: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom("", " ", "close, ", "x-listed,\t"), fc.boolean()) }),
}).map((r) => {
  // Generated values are reused while shrinking: copy before adding to them.
  const headers: Pairs = r.headers.map(([k, v]) => [k, v]);
  const spec: RequestSpec = { method: r.method, path: r.path, headers, ...r.body };
  if (r.authority !== undefined) spec.authority = r.authority;
  const size = spec.body !== undefined ? Buffer.byteLength(spec.body) : (spec.chunks ?? []).reduce((n, c) => n + Buffer.byteLength(c), 0);
  if (r.listing !== undefined && headers.length > 0) {
    const [pick, before, upper] = r.listing;
    const name = headers[pick % headers.length][0];
    headers.push(["connection", before + (upper ? name.toUpperCase() : name)]);
  }
  if (r.contentLength === "true") headers.push(["content-length", String(size)]);
  if (r.contentLength === "false") headers.push(["content-length", String(size + 1000)]);
  return spec;
});

/** How the host answers a callout. */
export type AnswerKind = "ok" | "failure" | "no-status" | "bad-status" | "zero-headers-with-body";

export interface AnswerPlan {
  kind: AnswerKind;
  /** Text-only (raw bytes are written as fuzz-host.ts markers). */
  answer: (CalloutAnswer & { headers: Pairs }) | null;
}

const responseHeaders: fc.Arbitrary<Pairs> = fc.array(fc.tuple(
  fc.constantFrom("content-type", "x-fn", "set-cookie", "connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer",
    "content-length", "proxy-authenticate", "x-listed", ":path", ":authority", "X-Upper", "", "a b", "x\r\ny", ...RAW_MARKERS.map((m) => `x${m}`)),
  headerValue), { maxLength: 10 });

const BAD_STATUSES = ["", "2x0", "99", "600", "20", "2000", "+20", "-10", "0", "abc", "200\r\n", "2" + RAW_MARKERS[0], "１２３", "2 0"];

/** A callout answer of every shape a host can produce. */
export const answerArb: fc.Arbitrary<AnswerPlan> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ status: fc.integer({ min: 100, max: 599 }), spaces: fc.boolean(), headers: responseHeaders,
    many: fc.option(fc.integer({ min: 50, max: 2000 }), { nil: undefined }),
    body: fc.oneof({ weight: 50, arbitrary: fc.tuple(fc.nat({ max: 500 }), fc.nat({ max: 255 })).map(([n, seed]) => pattern(n, seed)) },
      { weight: 1, arbitrary: fc.integer({ min: 65536, max: 2 << 20 }).map((n) => Buffer.alloc(n, 0x62)) }) })
    .map((r): AnswerPlan => {
      const headers: Pairs = [[":status", r.spaces ? ` ${r.status} ` : String(r.status)], ...r.headers];
      if (r.many) for (let i = 0; i < r.many; i++) headers.push([`x-h${i}`, "v"]);
      return { kind: "ok", answer: { headers, body: Buffer.from(r.body) } };
    }) },
  { weight: 2, arbitrary: fc.constant<AnswerPlan>({ kind: "failure", answer: null }) },
  { weight: 1, arbitrary: responseHeaders.filter((h) => !h.some(([k]) => k === ":status"))
    // One ordinary header, so the map is not empty even once Envoy drops the hop-by-hop ones.
    .map((headers): AnswerPlan => ({ kind: "no-status", answer: { headers: [["x-fn", "1"], ...headers], body: "x" } })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...BAD_STATUSES), responseHeaders)
    .map(([status, headers]): AnswerPlan => ({ kind: "bad-status", answer: { headers: [[":status", status], ...headers], body: "y" } })) },
  { weight: 1, arbitrary: fc.constant<AnswerPlan>({ kind: "zero-headers-with-body", answer: { headers: [], body: "orphan body" } }) },
);

/** The statuses the filter may answer with for each kind (503/504: a failure after `timeout` is a timeout). */
export function expectedStatuses(plan: AnswerPlan): number[] {
  switch (plan.kind) {
    case "ok": return [Number(plan.answer!.headers[0][1].trim())];
    case "failure": case "zero-headers-with-body": return [503, 504];
    case "bad-status": {
      // Whitespace around a valid code (" 200 ", "200\r\n") is trimmed, as for any header value.
      const trimmed = plan.answer!.headers[0][1].trim();
      return /^[1-5][0-9][0-9]$/.test(trimmed) ? [Number(trimmed)] : [502];
    }
    default: return [502];
  }
}
