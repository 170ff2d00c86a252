// InvokeWithResponseStream's answer as the filter decodes it: AWS event-stream messages made by an
// independent encoder (@smithy/eventstream-codec), cut at every kind of chunk boundary, give back exactly
// the function's bytes; a bad CRC or a cut-off stream is a clean error; InvokeComplete's ErrorCode is the
// function's failure; an HTTP integration prelude (JSON, then 8 NUL bytes) sets status and headers.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import fc from "fast-check";
import { loadUnit } from "./support/unit-wasm.ts";
import { FUZZ_SEED, replayHint, scaled, seedFor } from "./support/fuzz-run.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
let unit: { streamReset(): void; streamPush(bytes: ArrayBuffer): string; streamFinish(): string };
before(async () => { unit = await loadUnit("invoke"); });

interface State { body: string; streamError: string; completed: boolean; functionError: string; prelude: number;
  status: number; preludeError: string; headers: Array<[string, string]> }

const ab = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
const chunk = (payload: Uint8Array) => codec.encode({
  headers: { ":event-type": { type: "string", value: "PayloadChunk" }, ":message-type": { type: "string", value: "event" },
    ":content-type": { type: "string", value: "application/octet-stream" } },
  body: payload,
});
const complete = (result: object = {}) => codec.encode({
  headers: { ":event-type": { type: "string", value: "InvokeComplete" }, ":message-type": { type: "string", value: "event" },
    ":content-type": { type: "string", value: "application/json" } },
  body: fromUtf8(JSON.stringify(result)),
});
const concat = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

/** Feeds `stream` cut at `cuts` (sorted offsets); returns the client's bytes and the final state. */
function decode(stream: Uint8Array, cuts: number[] = []): { body: Buffer; state: State } {
  unit.streamReset();
  const bodies: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    const state = JSON.parse(unit.streamPush(ab(stream.subarray(at, cut)))) as State;
    bodies.push(Buffer.from(state.body, "base64"));
    at = cut;
  }
  const state = JSON.parse(unit.streamFinish()) as State;
  bodies.push(Buffer.from(state.body, "base64"));
  return { body: Buffer.concat(bodies), state };
}

const PRELUDE_FOUND = 1;
const PRELUDE_ABSENT = 2;
const PRELUDE_INVALID = 3;

describe("event stream decoding", () => {
  test("payload chunks come out as the function wrote them, and InvokeComplete without ErrorCode ends cleanly", () => {
    const { body, state } = decode(concat([chunk(fromUtf8("token ")), chunk(fromUtf8("by token")), complete()]));
    assert.equal(body.toString(), "token by token");
    assert.equal(state.completed, true);
    assert.equal(state.functionError, "");
    assert.equal(state.streamError, "");
    assert.equal(state.prelude, PRELUDE_ABSENT);
  });

  test("a message split across chunks waits for its rest: one byte at a time gives the same bytes", () => {
    const stream = concat([chunk(fromUtf8("hello")), chunk(new Uint8Array([0, 1, 2, 255])), complete()]);
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    const { body, state } = decode(stream, cuts);
    assert.deepEqual([...body], [...Buffer.from("hello"), 0, 1, 2, 255]);
    assert.equal(state.completed, true);
  });

  test("InvokeComplete with an ErrorCode is the function's failure, details quoted", () => {
    const { state } = decode(concat([chunk(fromUtf8("partial")), complete({ ErrorCode: "Unhandled", ErrorDetails: "boom" })]));
    assert.equal(state.functionError, "Unhandled: boom");
  });

  test("a stream that ends before InvokeComplete is not complete", () => {
    const { state } = decode(chunk(fromUtf8("cut off")));
    assert.equal(state.completed, false);
  });

  test("a flipped byte fails the message CRC: a clean error, nothing of that message released", () => {
    const message = Buffer.from(chunk(fromUtf8("secret")));
    message[message.length - 6] ^= 0xff;
    const { body, state } = decode(message);
    assert.match(state.streamError, /CRC/);
    assert.equal(body.length, 0);
  });

  test("a flipped prelude byte fails the prelude CRC", () => {
    const message = Buffer.from(chunk(fromUtf8("x")));
    message[2] ^= 0x01;
    assert.match(decode(message).state.streamError, /prelude failed its CRC/);
  });

  test("an HTTP integration prelude sets status and headers; the body follows it", () => {
    const prelude = fromUtf8(JSON.stringify({ statusCode: 201, headers: { "Content-Type": "text/event-stream" }, cookies: ["a=1"] }));
    const stream = concat([chunk(concat([prelude, new Uint8Array(8)])), chunk(fromUtf8("data: 1\n\n")), complete()]);
    const { body, state } = decode(stream, [5, 40]);
    assert.equal(state.prelude, PRELUDE_FOUND);
    assert.equal(state.status, 201);
    assert.deepEqual(state.headers, [["content-type", "text/event-stream"], ["set-cookie", "a=1"]]);
    assert.equal(body.toString(), "data: 1\n\n");
  });

  test("a prelude whose statusCode is not a status is refused", () => {
    const stream = concat([chunk(concat([fromUtf8('{"statusCode":99}'), new Uint8Array(8)])), complete()]);
    const { state } = decode(stream);
    assert.equal(state.prelude, PRELUDE_INVALID);
    assert.match(state.preludeError, /statusCode/);
  });

  test("JSON lines (no prelude) are body as soon as the first object closes without the delimiter: not held back", () => {
    unit.streamReset();
    const first = JSON.parse(unit.streamPush(ab(chunk(fromUtf8('{"token":"a"}\n{"tok'))))) as State;
    assert.equal(first.prelude, PRELUDE_ABSENT);
    assert.equal(Buffer.from(first.body, "base64").toString(), '{"token":"a"}\n{"tok');
  });

  test("a prelude cut anywhere, its braces and quotes inside strings, waits for its 8 NULs", () => {
    const prelude = fromUtf8(JSON.stringify({ statusCode: 200, headers: { "x-t": "a}\"{b" } }));
    const output = concat([prelude, new Uint8Array(8), fromUtf8("body")]);
    for (let cut = 1; cut < output.length; cut++) {
      // The function's writes reach the filter in PayloadChunks cut anywhere (ResponseStream keeps no boundaries).
      const { body, state } = decode(concat([chunk(output.subarray(0, cut)), chunk(output.subarray(cut)), complete()]));
      assert.equal(state.prelude, PRELUDE_FOUND, `cut at ${cut}`);
      assert.equal(body.toString(), "body");
    }
  });

  test("JSON output without the NUL delimiter is body, released at the end", () => {
    const { body, state } = decode(concat([chunk(fromUtf8('{"answer":42}')), complete()]));
    assert.equal(state.prelude, PRELUDE_ABSENT);
    assert.equal(body.toString(), '{"answer":42}');
  });
});

test(`random chunk boundaries of valid and corrupt event streams: same bytes, or a clean error (seed ${FUZZ_SEED})`, () => {
  const payloads = fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 });
  fc.assert(fc.property(payloads, fc.array(fc.nat(), { maxLength: 8 }), fc.option(fc.nat(), { nil: undefined }),
    (parts, rawCuts, corruptAt) => {
      // Output starting with '{' could be read as a prelude; these payloads are plain bytes.
      const chunks = parts.map((p) => (p.length > 0 && p[0] === 0x7b ? Uint8Array.of(0x20, ...p) : p));
      const stream = Buffer.from(concat([...chunks.map(chunk), complete()]));
      const corrupt = corruptAt !== undefined;
      if (corrupt) stream[corruptAt! % stream.length] ^= 0x5a;
      const cuts = [...new Set(rawCuts.map((c) => (c % (stream.length - 1)) + 1))].sort((a, b) => a - b);
      const { body, state } = decode(stream, cuts);
      const expected = concat(chunks);
      if (!corrupt) {
        assert.equal(state.streamError, "");
        assert.ok(body.equals(expected), "valid streams decode to the function's bytes");
        assert.equal(state.completed, true);
      } else if (state.streamError === "") {
        // A flip inside a payload is caught by the CRC; one that left the stream valid cannot happen.
        assert.fail(`a corrupted stream decoded without error; replay: ${replayHint("event-stream.test.ts")}`);
      } else {
        assert.ok(expected.subarray(0, body.length).equals(body), "bytes released before the error are the function's");
      }
    }), { numRuns: scaled(2000), seed: seedFor("event stream chunking") });
});
