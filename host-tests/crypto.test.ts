// SHA-256, HMAC-SHA256 and hex (assembly/crypto) against the FIPS 180-4 / RFC 4231 vectors and against
// node:crypto on seeded random inputs (every length around the block edges, multi-MiB buffers,
// random chunking, UTF-8 text with astral characters and lone surrogates).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { loadUnit } from "./support/unit-wasm.ts";

interface CryptoUnit {
  sha256(data: ArrayBuffer): ArrayBuffer;
  sha256Hex(data: ArrayBuffer): string;
  sha256Utf8Hex(text: string): string;
  hmacSha256(key: ArrayBuffer, message: ArrayBuffer): ArrayBuffer;
  hmacSha256Utf8(key: ArrayBuffer, message: string): ArrayBuffer;
  hmacPrecomputed(key: ArrayBuffer, message: ArrayBuffer): ArrayBuffer;
  hmacPrecomputedUtf8Twice(key: ArrayBuffer, message: string): ArrayBuffer;
  toHex(bytes: ArrayBuffer): string;
  streamReset(): void;
  streamUpdate(data: ArrayBuffer): void;
  streamUpdateRange(data: ArrayBuffer, offset: number, length: number): void;
  streamUpdateUtf8(text: string): void;
  streamDigest(): ArrayBuffer;
}

const wasm = await loadUnit<CryptoUnit>("crypto");

/** Seeded PRNG (mulberry32) so a failing input can be reproduced from the test name. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const int = (n: number): number => next() % n;
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    const words = new Uint32Array(out.buffer, 0, n >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = next();
    for (let i = words.length * 4; i < n; i++) out[i] = next() & 0xff;
    return out;
  };
  return { next, int, bytes };
}

/** A standalone ArrayBuffer holding exactly these bytes. */
const ab = (bytes: Uint8Array | string): ArrayBuffer => {
  const b = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};
const hex = (buf: ArrayBuffer): string => Buffer.from(buf).toString("hex");
const nodeSha = (data: Uint8Array | string): string => createHash("sha256").update(data).digest("hex");
const nodeHmac = (key: Uint8Array, data: Uint8Array | string): string =>
  createHmac("sha256", key).update(data).digest("hex");
const fill = (byte: number, n: number): Uint8Array => new Uint8Array(n).fill(byte);

/** Feeds `data` to the shared streaming hasher in random-sized chunks (some empty) and digests. */
function streamInChunks(data: Uint8Array, rnd: ReturnType<typeof prng>, maxChunk: number): string {
  let at = 0;
  while (at < data.length) {
    const n = Math.min(rnd.int(maxChunk + 1), data.length - at);
    if (rnd.int(2)) {
      wasm.streamUpdate(ab(data.subarray(at, at + n)));
    } else {
      // Same bytes through updateRange, embedded at a random offset in a larger buffer.
      const pad = rnd.int(9);
      const host = new Uint8Array(pad + n + rnd.int(9));
      host.set(data.subarray(at, at + n), pad);
      wasm.streamUpdateRange(ab(host), pad, n);
    }
    at += n;
  }
  return hex(wasm.streamDigest());
}

const NIST: Array<[string, string | Uint8Array, string]> = [
  ["empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["448-bit", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
  ["896-bit", "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"],
  ["one million 'a'", "a".repeat(1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
];

test("SHA-256 matches the FIPS 180-4 / NIST vectors through every entry point", () => {
  for (const [name, msg, expected] of NIST) {
    const bytes = ab(msg as string);
    assert.equal(hex(wasm.sha256(bytes)), expected, `sha256 ${name}`);
    assert.equal(wasm.sha256Hex(bytes), expected, `sha256Hex ${name}`);
    assert.equal(wasm.sha256Utf8Hex(msg as string), expected, `sha256Utf8Hex ${name}`);
    wasm.streamReset();
    wasm.streamUpdate(bytes);
    assert.equal(hex(wasm.streamDigest()), expected, `Sha256.update ${name}`);
    wasm.streamUpdateUtf8(msg as string); // digest() left the hasher reset
    assert.equal(hex(wasm.streamDigest()), expected, `Sha256.updateUtf8 ${name}`);
  }
});

test("HMAC-SHA256 matches RFC 4231 test cases 1-7", () => {
  const key4 = Uint8Array.from({ length: 25 }, (_, i) => i + 1);
  const cases: Array<[number, Uint8Array, Uint8Array | string, string]> = [
    [1, fill(0x0b, 20), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"],
    [2, Buffer.from("Jefe"), "what do ya want for nothing?",
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"],
    [3, fill(0xaa, 20), fill(0xdd, 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"],
    [4, key4, fill(0xcd, 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"],
    [5, fill(0x0c, 20), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"],
    [6, fill(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First",
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"],
    [7, fill(0xaa, 131),
      "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"],
  ];
  for (const [n, key, msg, expected] of cases) {
    const check = (mac: ArrayBuffer, how: string) => {
      assert.equal(mac.byteLength, 32, `case ${n} ${how} length`);
      // Case 5 publishes only the first 128 bits.
      assert.equal(hex(mac).slice(0, expected.length), expected, `case ${n} ${how}`);
    };
    check(wasm.hmacSha256(ab(key), ab(msg)), "hmacSha256");
    check(wasm.hmacPrecomputed(ab(key), ab(msg)), "HmacSha256.mac");
    if (typeof msg === "string") {
      check(wasm.hmacSha256Utf8(ab(key), msg), "hmacSha256Utf8");
      check(wasm.hmacPrecomputedUtf8Twice(ab(key), msg), "HmacSha256.macUtf8");
    }
  }
});

test("SHA-256 equals node:crypto for every length 0..300 (block edges 55/56/64)", () => {
  const rnd = prng(0x5eed0001);
  for (let len = 0; len <= 300; len++) {
    const data = rnd.bytes(len);
    const expected = nodeSha(data);
    assert.equal(hex(wasm.sha256(ab(data))), expected, `sha256 len=${len}`);
    assert.equal(wasm.sha256Hex(ab(data)), expected, `sha256Hex len=${len}`);
    assert.equal(streamInChunks(data, rnd, 70), expected, `streamed len=${len}`);
  }
});

test("SHA-256 equals node:crypto on multi-MiB inputs, one-shot and streamed", () => {
  const rnd = prng(0x5eed0002);
  const MiB = 1 << 20;
  for (const len of [MiB, 3 * MiB + 17, 5 * MiB + rnd.int(64)]) {
    const data = rnd.bytes(len);
    const expected = nodeSha(data);
    assert.equal(hex(wasm.sha256(ab(data))), expected, `sha256 len=${len}`);
    assert.equal(streamInChunks(data, rnd, 256 * 1024), expected, `streamed len=${len}`);
  }
});

test("streaming Sha256 over random chunks equals the one-shot hash and is reusable", () => {
  const rnd = prng(0x5eed0003);
  for (let i = 0; i < 200; i++) {
    const data = rnd.bytes(rnd.int(2000));
    const oneShot = hex(wasm.sha256(ab(data)));
    assert.equal(oneShot, nodeSha(data), `one-shot #${i}`);
    assert.equal(streamInChunks(data, rnd, 1 + rnd.int(130)), oneShot, `streamed #${i} len=${data.length}`);
  }
  // reset() discards buffered input.
  wasm.streamUpdate(ab("discarded"));
  wasm.streamReset();
  wasm.streamUpdate(ab("abc"));
  assert.equal(hex(wasm.streamDigest()), nodeSha("abc"));
});

test("Sha256.updateRange clamps out-of-range offsets and lengths instead of trapping", () => {
  const data = prng(0x5eed0004).bytes(100);
  const hashOf = (offset: number, length: number): string => {
    wasm.streamUpdateRange(ab(data), offset, length);
    return hex(wasm.streamDigest());
  };
  assert.equal(hashOf(10, 20), nodeSha(data.subarray(10, 30)));
  assert.equal(hashOf(-5, 20), nodeSha(data.subarray(0, 20)));
  assert.equal(hashOf(90, 50), nodeSha(data.subarray(90)));
  assert.equal(hashOf(150, 10), nodeSha(""));
  assert.equal(hashOf(0, -1), nodeSha(""));
  assert.equal(hashOf(0, 0x7fffffff), nodeSha(data));
  assert.equal(hashOf(0x7fffffff, 0x7fffffff), nodeSha(""));
  assert.equal(hashOf(-0x80000000, -0x80000000), nodeSha(""));
});

/** Random text drawn from ASCII, 2- and 3-byte BMP, astral pairs and lone surrogates. */
function randomText(rnd: ReturnType<typeof prng>, units: number, mix: number): string {
  const pool = [
    () => String.fromCharCode(0x20 + rnd.int(95)),
    () => String.fromCharCode(rnd.int(0x80)),
    () => String.fromCharCode(0x80 + rnd.int(0x780)),
    () => String.fromCharCode(0x800 + rnd.int(0xd000)), // U+0800..U+D7FF
    () => String.fromCharCode(0xe000 + rnd.int(0x2000)), // U+E000..U+FFFF
    () => String.fromCodePoint(0x10000 + rnd.int(0x100000)),
    () => String.fromCharCode(0xd800 + rnd.int(0x400)), // lone high
    () => String.fromCharCode(0xdc00 + rnd.int(0x400)), // lone low
  ];
  let s = "";
  while (s.length < units) s += pool[rnd.int(100) < mix ? 2 + rnd.int(pool.length - 2) : rnd.int(2)]();
  return s;
}

test("UTF-8 hashing equals node's hash of Buffer.from(text, 'utf8') for ASCII, BMP, astral and lone surrogates", () => {
  const fixed = [
    "", "a", "GET\n/\n\nhost:example.com\n", "héllo wörld", "日本語のテキスト", "€", "😀", "a😀b",
    "\ud800", "\udc00", "x\ud800", "\ud800x", "\udc00\ud800", "\ud83d\ude00\ud83d", "\ud800\ud800\udc00",
    "\u007f\u0080\u07ff\u0800\uffff", "a".repeat(55) + "é", "a".repeat(63) + "😀", "a".repeat(61) + "\ud800",
  ];
  for (const text of fixed) {
    const expected = nodeSha(Buffer.from(text, "utf8"));
    assert.equal(wasm.sha256Utf8Hex(text), expected, `sha256Utf8Hex ${JSON.stringify(text)}`);
    wasm.streamUpdateUtf8(text);
    assert.equal(hex(wasm.streamDigest()), expected, `updateUtf8 ${JSON.stringify(text)}`);
  }
  const rnd = prng(0x5eed0005);
  for (let i = 0; i < 400; i++) {
    const text = randomText(rnd, rnd.int(i < 300 ? 300 : 5000), [0, 5, 30, 100][i % 4]);
    const expected = nodeSha(Buffer.from(text, "utf8"));
    assert.equal(wasm.sha256Utf8Hex(text), expected, `sha256Utf8Hex #${i}`);
    // Pieces mixed with byte updates: each piece is encoded on its own, like Buffer.from(piece).
    const parts: Buffer[] = [];
    for (let at = 0; at < text.length;) {
      const piece = text.slice(at, at + 1 + rnd.int(100));
      at += piece.length;
      if (rnd.int(3) === 0) {
        const bytes = rnd.bytes(rnd.int(5));
        wasm.streamUpdate(ab(bytes));
        parts.push(Buffer.from(bytes));
      }
      wasm.streamUpdateUtf8(piece);
      parts.push(Buffer.from(piece, "utf8"));
    }
    assert.equal(hex(wasm.streamDigest()), nodeSha(Buffer.concat(parts)), `streamed text #${i}`);
  }
});

test("HMAC-SHA256 equals node:crypto for key lengths 0..200 and random messages", () => {
  const rnd = prng(0x5eed0006);
  for (let keyLen = 0; keyLen <= 200; keyLen++) {
    const key = rnd.bytes(keyLen);
    const msg = rnd.bytes(keyLen % 50 === 0 ? rnd.int(100_000) : rnd.int(300));
    const expected = nodeHmac(key, msg);
    assert.equal(hex(wasm.hmacSha256(ab(key), ab(msg))), expected, `hmacSha256 key=${keyLen} msg=${msg.length}`);
    assert.equal(hex(wasm.hmacPrecomputed(ab(key), ab(msg))), expected, `HmacSha256.mac key=${keyLen}`);
    const text = randomText(rnd, rnd.int(300), keyLen % 3 === 0 ? 0 : 20);
    const textMac = nodeHmac(key, Buffer.from(text, "utf8"));
    assert.equal(hex(wasm.hmacSha256Utf8(ab(key), text)), textMac, `hmacSha256Utf8 key=${keyLen}`);
    assert.equal(hex(wasm.hmacPrecomputedUtf8Twice(ab(key), text)), textMac, `HmacSha256.macUtf8 key=${keyLen}`);
  }
});

test("HMAC-SHA256 chains like SigV4 key derivation", () => {
  // kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
  const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  let key = ab(`AWS4${secret}`);
  let nodeKey: Buffer = Buffer.from(`AWS4${secret}`);
  for (const part of ["20150830", "us-east-1", "iam", "aws4_request"]) {
    key = wasm.hmacSha256Utf8(key, part);
    nodeKey = createHmac("sha256", nodeKey).update(part).digest();
  }
  assert.equal(hex(key), nodeKey.toString("hex"));
  assert.equal(hex(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
});

test("toHex is lower-case hex of every byte", () => {
  const rnd = prng(0x5eed0007);
  assert.equal(wasm.toHex(new ArrayBuffer(0)), "");
  assert.equal(wasm.toHex(ab(Uint8Array.from({ length: 256 }, (_, i) => i))),
    Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => i)).toString("hex"));
  for (let len = 1; len <= 100; len++) {
    const bytes = rnd.bytes(len);
    assert.equal(wasm.toHex(ab(bytes)), Buffer.from(bytes).toString("hex"), `len=${len}`);
  }
});
