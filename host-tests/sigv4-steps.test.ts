// The SigV4 steps one behaviour at a time (assembly/sigv4/*, through build/unit/sigv4.wasm).
// node:crypto is the independent oracle for the hashing steps.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { loadUnit } from "./support/unit-wasm.ts";

const m: any = await loadUnit("sigv4");

const sha256hex = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
const buf = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
const EMPTY_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const T2015 = 1440938160000n; // 2015-08-30T12:36:00Z, the suites' time

/** Header lines for the unit exports: "name:value\n" each. */
const lines = (...hs: Array<[string, string]>) => hs.map(([n, v]) => `${n}:${v}\n`).join("");
const parseAdded = (s: string) => Object.fromEntries(s.trim().split("\n").map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]));

describe("canonical URI", () => {
  const uri = (p: string, normalize = true, encode = true) => m.canonicalUri(p, normalize, encode);

  test("canonical URI of an empty path is /", () => assert.equal(uri(""), "/"));
  test("canonical URI double-encodes an already encoded path /a%20b → /a%2520b", () => assert.equal(uri("/a%20b"), "/a%2520b"));
  test("canonical URI double-encodes an encoded slash inside a segment (%2F → %252F)", () => assert.equal(uri("/a%2Fb"), "/a%252Fb"));
  test("canonical URI keeps unreserved characters and / unencoded", () => {
    const unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    assert.equal(uri(`/${unreserved}/x`), `/${unreserved}/x`);
  });
  test("canonical URI percent-encodes reserved characters with upper-case hex", () => {
    assert.equal(uri("/$&'()*+,;=:@!"), "/%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40%21");
  });
  test("canonical URI encodes a raw space as %20 and raw UTF-8 byte by byte", () => {
    assert.equal(uri("/example space/ሴ😀"), "/example%20space/%E1%88%B4%F0%9F%98%80");
  });
  test("canonical URI removes . segments", () => assert.equal(uri("/./a/./b"), "/a/b"));
  test("canonical URI resolves .. against the previous segment", () => assert.equal(uri("/a/b/../c"), "/a/c"));
  test("canonical URI never climbs above the root with ..", () => assert.equal(uri("/../../a/.."), "/"));
  test("canonical URI merges repeated slashes", () => assert.equal(uri("//a///b"), "/a/b"));
  test("canonical URI keeps a trailing slash", () => assert.equal(uri("/a/b/"), "/a/b/"));
  test("canonical URI drops the trailing slash when no segment remains", () => assert.equal(uri("//"), "/"));
  test("canonical URI gives a path without a leading slash one", () => assert.equal(uri("a/b"), "/a/b"));
  test("canonical URI does not treat encoded dots (%2E%2E) as a dot segment", () => assert.equal(uri("/a/%2E%2E/b"), "/a/%252E%252E/b"));
  test("canonical URI treats ... as an ordinary segment", () => assert.equal(uri("/.../x"), "/.../x"));
  test("canonical URI without normalization keeps dot segments and double slashes (S3 style)", () => {
    assert.equal(uri("//a/./b/../", false, true), "//a/./b/../");
  });
  test("canonical URI without encoding uses the wire path verbatim", () => assert.equal(uri("/a%20b", false, false), "/a%20b"));
  test("canonical URI encodes a lone surrogate as U+FFFD instead of trapping", () => assert.equal(uri("/\ud800x"), "/%EF%BF%BDx"));
  test("canonical URI of a 100 KB path", () => {
    const seg = "a%20".repeat(25_000);
    const out = uri(`/${seg}/../b/${seg}`);
    assert.equal(out, `/b/${"a%2520".repeat(25_000)}`);
  });
});

describe("canonical query", () => {
  const q = (s: string) => m.canonicalQuery(s);

  test("canonical query of an empty query string is empty", () => assert.equal(q(""), ""));
  test("canonical query sorts by name then value", () => assert.equal(q("b=2&a=2&a=1"), "a=1&a=2&b=2"));
  test("canonical query sorts by encoded name in byte order (%XX, upper case, _, lower case, ~)", () => {
    assert.equal(q("b=1&B=2&~=3&_=4&a=5&%E1%88%B4=6"), "%E1%88%B4=6&B=2&_=4&a=5&b=1&~=3");
  });
  test("canonical query compares whole names before values (a before a-b)", () => assert.equal(q("a-b=1&a=2"), "a=2&a-b=1"));
  test("canonical query gives a valueless key an empty value (k → k=)", () => assert.equal(q("k"), "k="));
  test("canonical query keeps an explicit empty value (k= → k=)", () => assert.equal(q("k="), "k="));
  test("canonical query keeps repeated keys, ordered by value", () => assert.equal(q("k=b&k=a&k&k=a"), "k=&k=a&k=a&k=b"));
  test("canonical query orders repeated keys by value case-sensitively (upper case first)", () => {
    assert.equal(q("Param1=value2&Param1=Value1"), "Param1=Value1&Param1=value2");
  });
  test("canonical query decodes then re-encodes (%7e → ~, %41 → A, %2f → %2F)", () => assert.equal(q("%7e=%41%2f"), "~=A%2F"));
  test("canonical query upper-cases hex digits of escapes", () => assert.equal(q("%e1%88%b4=%3a"), "%E1%88%B4=%3A"));
  test("canonical query encodes a space as %20", () => assert.equal(q("a=x y&b=x%20y"), "a=x%20y&b=x%20y"));
  test("canonical query treats + as a literal plus (%2B), not a space", () => assert.equal(q("a=x+y&b=%2B"), "a=x%2By&b=%2B"));
  test("canonical query encodes reserved characters", () => {
    assert.equal(q("k=:/?#[]@!$'()*,;"), "k=%3A%2F%3F%23%5B%5D%40%21%24%27%28%29%2A%2C%3B");
  });
  test("canonical query splits name and value at the first =", () => assert.equal(q("a=b=c"), "a=b%3Dc"));
  test("canonical query keeps an empty name", () => assert.equal(q("=v"), "=v"));
  test("canonical query skips empty parameters from && and a trailing &", () => assert.equal(q("&a=1&&b&"), "a=1&b="));
  test("canonical query keeps malformed % escapes literally as %25", () => {
    assert.equal(q("a=%&b=%4&c=%zz&d=x%&e=%%41"), "a=%25&b=%254&c=%25zz&d=x%25&e=%25A");
  });
  test("canonical query re-encodes decoded bytes that are not valid UTF-8 as they are", () => assert.equal(q("a=%FF%e1"), "a=%FF%E1"));
  test("canonical query encodes raw UTF-8 text byte by byte", () => assert.equal(q("ሴ=😀"), "%E1%88%B4=%F0%9F%98%80"));
  test("canonical query encodes a lone surrogate as U+FFFD instead of trapping", () => assert.equal(q("a=\udc00"), "a=%EF%BF%BD"));
  test("canonical query handles a 100 KB value", () => {
    const out = q(`z=1&v=${"x y".repeat(34_000)}&a=2`);
    assert.equal(out, `a=2&v=${"x%20y".repeat(34_000)}&z=1`);
  });
  test("canonical query sorts 3000 parameters", () => {
    const names = Array.from({ length: 3000 }, (_, i) => `p${(i * 7919) % 3000}`);
    const out = q(names.map((n, i) => `${n}=${i % 3}`).join("&"));
    const expected = names.map((n, i) => [n, String(i % 3)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
    assert.equal(out, expected.map(([n, v]) => `${n}=${v}`).join("&"));
  });
});

describe("canonical headers", () => {
  test("canonical headers lower-case the names and sort them", () => {
    assert.equal(m.canonicalHeaders(lines(["X-B", "1"], ["Host", "h"], ["a", "2"])), "a:2\nhost:h\nx-b:1\n");
  });
  test("canonical header values are trimmed", () => assert.equal(m.canonicalHeaderValue(" \t value1 \t "), "value1"));
  test("canonical header values have inner runs of spaces collapsed to one", () => assert.equal(m.canonicalHeaderValue("a   b c"), "a b c"));
  test("canonical header values have tabs and folded line breaks collapsed like spaces", () => {
    assert.equal(m.canonicalHeaderValue("value1\r\n  value2\n\t value3"), "value1 value2 value3");
  });
  test("canonical header values keep quotes and case", () => assert.equal(m.canonicalHeaderValue(` "A   b" `), `"A b"`));
  test("canonical header value of only whitespace is empty", () => assert.equal(m.canonicalHeaderValue(" \t \r\n"), ""));
  test("canonical header values keep non-ASCII text", () => assert.equal(m.canonicalHeaderValue(" café  ሴ "), "café ሴ"));
  test("canonical headers join repeated names with ',' in the order given", () => {
    assert.equal(m.canonicalHeaders(lines(["my-header1", "value4"], ["host", "h"], ["My-Header1", " value1 "], ["my-header1", "value3"])),
      "host:h\nmy-header1:value4,value1,value3\n");
  });
  test("signed headers are the distinct lower-cased names, sorted, joined with ';'", () => {
    assert.equal(m.signedHeaders(lines(["X-Amz-Date", "d"], ["Host", "h"], ["x-amz-date", "e"], ["Content-Type", "c"])),
      "content-type;host;x-amz-date");
  });
  test("canonical headers of an empty list are empty", () => {
    assert.equal(m.canonicalHeaders(""), "");
    assert.equal(m.signedHeaders(""), "");
  });
  test("canonical headers carry a 100 KB value", () => {
    const v = "ab  ".repeat(25_000);
    assert.equal(m.canonicalHeaders(lines(["x-big", v])), `x-big:${"ab ".repeat(25_000).trimEnd()}\n`);
  });
});

describe("payload hash", () => {
  test("payload hash of an empty body is the SHA-256 of nothing", () => assert.equal(m.payloadHash(new ArrayBuffer(0)), EMPTY_HASH));
  test("payload hash is over the exact body bytes, binary included", () => {
    const body = randomBytes(1000);
    body[0] = 0xff; // not valid UTF-8
    assert.equal(m.payloadHash(buf(body)), sha256hex(body));
  });
});

describe("canonical request, scope, string to sign", () => {
  // AWS's definition: the six parts joined with "\n" (CanonicalHeaders carries its own trailing "\n").
  const fromParts = (...parts: string[]) => parts.join("\n");
  test("canonical request joins method, URI, query, headers, signed headers and payload hash with newlines", () => {
    assert.equal(m.canonicalRequest("GET", "/", "a=1", lines(["host", "h"]), EMPTY_HASH, true, true),
      `GET\n/\na=1\nhost:h\n\nhost\n${EMPTY_HASH}`);
  });
  test("canonical request of a request is the assembly of its steps", () => {
    const hs = lines(["Host", "h"], ["X-Amz-Date", "20150830T123600Z"]);
    const expected = fromParts("POST", m.canonicalUri("/a b/../c", true, true), m.canonicalQuery("b=1&a"),
      m.canonicalHeaders(hs), m.signedHeaders(hs), EMPTY_HASH);
    assert.equal(m.canonicalRequest("POST", "/a b/../c", "b=1&a", hs, EMPTY_HASH, true, true), expected);
    assert.equal(expected, `POST\n/c\na=&b=1\nhost:h\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY_HASH}`);
  });
  test("credential scope is date/region/service/aws4_request", () => {
    assert.equal(m.credentialScope("20150830", "us-east-1", "lambda"), "20150830/us-east-1/lambda/aws4_request");
  });
  test("hashed canonical request is the hex SHA-256 of its UTF-8 bytes", () => {
    const c = "GET\n/ሴ\n\nhost:é\n\nhost\n" + EMPTY_HASH;
    assert.equal(m.hashedCanonicalRequest(c), sha256hex(Buffer.from(c, "utf8")));
  });
  test("string to sign is algorithm, date, scope and hashed canonical request on four lines", () => {
    assert.equal(m.stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", "ab12"),
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nab12");
  });
});

describe("signing key and signature", () => {
  const chain = (secret: string, date: string, region: string, service: string) =>
    hmac(hmac(hmac(hmac("AWS4" + secret, date), region), service), "aws4_request");

  test("signing key is the HMAC chain from AWS4+secret over date, region, service, aws4_request", () => {
    assert.equal(m.deriveSigningKeyHex(SECRET, "20150830", "us-east-1", "service"), chain(SECRET, "20150830", "us-east-1", "service").toString("hex"));
  });
  test("signing key handles a non-ASCII and a very long secret", () => {
    const secret = "ß€" + "k".repeat(5000);
    assert.equal(m.deriveSigningKeyHex(secret, "20240229", "eu-west-1", "execute-api"), chain(secret, "20240229", "eu-west-1", "execute-api").toString("hex"));
  });
  test("signing key from the cache equals the uncached derivation", () => {
    assert.equal(m.signingKeyHex(SECRET, "20200101", "us-east-1", "lambda"), m.deriveSigningKeyHex(SECRET, "20200101", "us-east-1", "lambda"));
  });
  // A cache hit hands back the same entry (the same object id); a derivation makes a new one.
  test("signing key is derived once and reused for the same secret, date, region and service", () => {
    const first = m.signingKeyId(SECRET, "20200102", "us-east-1", "lambda");
    for (let i = 0; i < 5; i++) assert.equal(m.signingKeyId(SECRET, "20200102", "us-east-1", "lambda"), first);
    assert.equal(m.signingKeyHex(SECRET, "20200102", "us-east-1", "lambda"), chain(SECRET, "20200102", "us-east-1", "lambda").toString("hex"));
  });
  test("signing key is derived again when the date changes", () => {
    const day1 = m.signingKeyHex(SECRET, "20200103", "us-east-1", "lambda");
    const day2 = m.signingKeyHex(SECRET, "20200104", "us-east-1", "lambda");
    assert.notEqual(day1, day2);
    assert.notEqual(m.signingKeyId(SECRET, "20200103", "us-east-1", "lambda"), m.signingKeyId(SECRET, "20200104", "us-east-1", "lambda"));
    assert.equal(day2, chain(SECRET, "20200104", "us-east-1", "lambda").toString("hex"));
  });
  test("signing key cache keeps secrets, regions and services apart", () => {
    const keys = new Set([
      m.signingKeyHex(SECRET, "20200105", "us-east-1", "lambda"),
      m.signingKeyHex(SECRET + "x", "20200105", "us-east-1", "lambda"),
      m.signingKeyHex(SECRET, "20200105", "eu-west-1", "lambda"),
      m.signingKeyHex(SECRET, "20200105", "us-east-1", "execute-api"),
    ]);
    assert.equal(keys.size, 4);
  });
  test("signing by request reuses the cached key across requests on the same day", () => {
    const ids = new Set<number>();
    for (let i = 0; i < 3; i++) {
      m.signRequest("GET", "/", "", lines(["host", "h"]), new ArrayBuffer(0), "AK", SECRET, "", "us-east-1", "lambda", T2015 + BigInt(i * 1000));
      ids.add(m.lastScopeId());
    }
    assert.equal(ids.size, 1);
    m.signRequest("GET", "/", "", lines(["host", "h"]), new ArrayBuffer(0), "AK", SECRET, "", "us-east-1", "lambda", T2015 + 86_400_000n);
    ids.add(m.lastScopeId());
    assert.equal(ids.size, 2);
  });
  test("signature is the hex HMAC-SHA256 of the string to sign under the signing key", () => {
    const key = chain(SECRET, "20150830", "us-east-1", "service");
    const sts = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63";
    assert.equal(m.signature(key.toString("hex"), sts), createHmac("sha256", key).update(sts).digest("hex"));
    assert.equal(m.signature(key.toString("hex"), sts), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  });
  test("authorization header value names the credential, signed headers and signature", () => {
    assert.equal(m.authorizationHeader("AKID", "20150830/us-east-1/lambda/aws4_request", "host;x-amz-date", "abc"),
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc");
  });
});

describe("amzDate", () => {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");

  test("amzDate formats the suites' timestamp as YYYYMMDDTHHMMSSZ", () => assert.equal(m.amzDate(T2015), "20150830T123600Z"));
  test("amzDate of the epoch", () => assert.equal(m.amzDate(0n), "19700101T000000Z"));
  test("amzDate truncates milliseconds toward the earlier second", () => {
    assert.equal(m.amzDate(999n), "19700101T000000Z");
    assert.equal(m.amzDate(-1n), "19691231T235959Z");
  });
  test("amzDate has Feb 29 in leap years (2000, 2024)", () => {
    assert.equal(m.amzDate(BigInt(Date.UTC(2000, 1, 29, 1, 2, 3))), "20000229T010203Z");
    assert.equal(m.amzDate(BigInt(Date.UTC(2024, 1, 28) + 86_400_000)), "20240229T000000Z");
  });
  test("amzDate goes from Feb 28 to Mar 1 in common and century years (2023, 1900, 2100)", () => {
    for (const y of [2023, 1900, 2100]) assert.equal(m.amzDate(BigInt(Date.UTC(y, 1, 28) + 86_400_000)), `${y}0301T000000Z`);
  });
  test("amzDate crosses the year boundary", () => {
    const newYear = BigInt(Date.UTC(2024, 0, 1));
    assert.equal(m.amzDate(newYear - 1n), "20231231T235959Z");
    assert.equal(m.amzDate(newYear), "20240101T000000Z");
    assert.equal(m.amzDate(BigInt(Date.UTC(2024, 11, 31, 23, 59, 59))), "20241231T235959Z"); // day 366
  });
  test("amzDate agrees with Date#toISOString on 20000 seeded random times in years 0000..9999", () => {
    const lo = new Date("0000-01-01T00:00:00Z").getTime();
    const hi = new Date("9999-12-31T23:59:59.999Z").getTime();
    let seed = 0x2015_0830;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor(lo + random() * (hi - lo));
      assert.equal(m.amzDate(BigInt(t)), iso(t), `t=${t}`);
    }
  });
  test("amzDate clamps times outside years 0000..9999 instead of trapping", () => {
    assert.equal(m.amzDate(-(2n ** 63n)), "00000101T000000Z");
    assert.equal(m.amzDate(2n ** 63n - 1n), "99991231T235959Z");
  });
});

describe("signed-headers policy", () => {
  const signed = (n: string) => m.isSignedHeader(n);

  test("signed-header policy signs host, x-amz-*, content-type and x-api-key", () => {
    for (const n of ["host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "x-amz-invocation-type", "x-amz-client-context", "content-type", "x-api-key"]) {
      assert.equal(signed(n), true, n);
    }
  });
  test("signed-header policy never signs hop-by-hop headers", () => {
    for (const n of ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate"]) {
      assert.equal(signed(n), false, n);
    }
  });
  test("signed-header policy never signs headers proxies add or rewrite", () => {
    for (const n of ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded", "via", "x-request-id", "x-amzn-trace-id", "user-agent"]) {
      assert.equal(signed(n), false, n);
    }
  });
  test("signed-header policy never signs content-length, expect, authorization or pseudo-headers", () => {
    for (const n of ["content-length", "expect", "authorization", ":authority", ":path", ":method", ":scheme", ""]) assert.equal(signed(n), false, n);
  });
  test("signed-header policy leaves other headers unsigned", () => {
    for (const n of ["accept", "cookie", "x-custom", "x-amz", "x-amzn-requestid", "content-md5", "date", "hostname"]) assert.equal(signed(n), false, n);
  });
  test("signed-header policy is case-insensitive", () => {
    assert.equal(signed("Host"), true);
    assert.equal(signed("X-Amz-Date"), true);
    assert.equal(signed("Content-Type"), true);
    assert.equal(signed("X-Forwarded-For"), false);
    assert.equal(signed("Transfer-Encoding"), false);
  });
});

describe("signRequest", () => {
  const sign = (hs: string, token = "", body = new ArrayBuffer(0), query = "") =>
    parseAdded(m.signRequest("POST", "/2015-03-31/functions/f/invocations", query, hs, body, "AKID", SECRET, token, "us-east-1", "lambda", T2015));

  test("signRequest returns x-amz-date and authorization to add", () => {
    const added = sign(lines(["host", "lambda.us-east-1.amazonaws.com"]));
    assert.deepEqual(Object.keys(added), ["x-amz-date", "authorization"]);
    assert.equal(added["x-amz-date"], "20150830T123600Z");
    assert.match(added.authorization, /^AWS4-HMAC-SHA256 Credential=AKID\/20150830\/us-east-1\/lambda\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
  });
  test("signRequest adds and signs x-amz-security-token when a session token is given", () => {
    const added = sign(lines(["host", "h"]), "TOKEN/+=");
    assert.equal(added["x-amz-security-token"], "TOKEN/+=");
    assert.match(added.authorization, /SignedHeaders=host;x-amz-date;x-amz-security-token,/);
    assert.match(m.lastCanonicalRequest(), /\nx-amz-security-token:TOKEN\/\+=\n/);
  });
  test("signRequest signs only the headers the policy selects", () => {
    sign(lines(["host", "h"], ["user-agent", "u"], ["content-type", "application/json"], ["x-forwarded-for", "1.2.3.4"],
      ["x-amz-invocation-type", "Event"], ["accept", "*/*"], ["content-length", "2"], ["x-api-key", "k"], ["connection", "close"]));
    assert.equal(m.lastSignedHeaders(), "content-type;host;x-amz-date;x-amz-invocation-type;x-api-key");
  });
  test("signRequest signs :authority as host, over any host header", () => {
    sign(lines(["host", "wrong"], [":authority", "abc.lambda-url.us-east-1.on.aws"], [":path", "/x"], [":method", "POST"]));
    assert.equal(m.lastSignedHeaders(), "host;x-amz-date");
    assert.match(m.lastCanonicalRequest(), /\nhost:abc\.lambda-url\.us-east-1\.on\.aws\n/);
  });
  test("signRequest replaces the caller's x-amz-date, x-amz-security-token and authorization", () => {
    sign(lines(["host", "h"], ["x-amz-date", "19990101T000000Z"], ["x-amz-security-token", "old"], ["authorization", "Bearer x"]), "new");
    const c = m.lastCanonicalRequest();
    assert.match(c, /\nx-amz-date:20150830T123600Z\nx-amz-security-token:new\n\n/);
    assert.doesNotMatch(c, /19990101|old|Bearer/);
  });
  test("signRequest hashes the body into the canonical request", () => {
    const body = new TextEncoder().encode('{"a":1}');
    sign(lines(["host", "h"]), "", buf(body));
    assert.ok(m.lastCanonicalRequest().endsWith("\n" + sha256hex(body)));
  });
  test("signRequest exposes a canonical request, string to sign and signature that agree with each other", () => {
    const added = sign(lines(["host", "h"], ["content-type", "text/plain"]), "", new ArrayBuffer(0), "b=2&a=1");
    const c = m.lastCanonicalRequest();
    assert.equal(c, `POST\n/2015-03-31/functions/f/invocations\na=1&b=2\ncontent-type:text/plain\nhost:h\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n${EMPTY_HASH}`);
    const sts = m.lastStringToSign();
    assert.equal(sts, `AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/lambda/aws4_request\n${sha256hex(c)}`);
    const key = hmac(hmac(hmac(hmac("AWS4" + SECRET, "20150830"), "us-east-1"), "lambda"), "aws4_request");
    assert.equal(m.lastSignature(), createHmac("sha256", key).update(sts).digest("hex"));
    assert.ok(added.authorization.endsWith(`Signature=${m.lastSignature()}`));
  });
  test("signRequest gives a defined result for malformed and extreme input", () => {
    const big = "v".repeat(100_000);
    const added = parseAdded(m.signRequest("", "", "%&%zz=%&=\ud800&" + big, lines(["host", ""], ["x-amz-meta-x", big + "\udfff"], ["", "x"], [":", ":"]),
      new ArrayBuffer(0), "", "", "", "", "", 0n));
    assert.match(added.authorization, /Signature=[0-9a-f]{64}$/);
    assert.match(m.lastCanonicalRequest(), /^\n\/\n=%EF%BF%BD&%25=&%25zz=%25&v{100000}=\nhost:\nx-amz-date:19700101T000000Z\nx-amz-meta-x:v{100000}\uFFFD\n\nhost;x-amz-date;x-amz-meta-x\n/);
  });
});
