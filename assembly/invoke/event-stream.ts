// The AWS event stream encoding InvokeWithResponseStream answers in (application/vnd.amazon.eventstream):
// messages of [total length u32][headers length u32][prelude CRC32 u32][headers][payload][message CRC32 u32],
// big-endian; headers are [name length u8][name][type u8][value]. Decoded as bytes arrive, whatever the
// chunk boundaries: a message split across chunks waits for its rest. A bad CRC or length ends the stream.
import { crc32 } from "../crypto/crc32";
import { ByteBuffer } from "../kernel/byte-buffer";

/** Messages larger than this are not Lambda's (its payload chunks are small); refusing bounds the buffer. */
const MAX_MESSAGE_BYTES = 16 << 20;
const PRELUDE_BYTES = 12;
const MIN_MESSAGE_BYTES = 16;
/** Storage kept for the held bytes once a large message has gone through. */
const KEPT_BYTES = 65536;

/** One decoded message: its `:event-type` / `:message-type` / `:exception-type` headers and payload. */
export class StreamMessage {
  eventType: string = "";
  messageType: string = "";
  exceptionType: string = "";
  payload: ArrayBuffer = new ArrayBuffer(0);
}

function u32be(data: Uint8Array, at: i32): u32 {
  return (<u32>unchecked(data[at]) << 24) | (<u32>unchecked(data[at + 1]) << 16) | (<u32>unchecked(data[at + 2]) << 8)
    | <u32>unchecked(data[at + 3]);
}

function u16be(data: Uint8Array, at: i32): i32 {
  return (<i32>unchecked(data[at]) << 8) | <i32>unchecked(data[at + 1]);
}

/** Bytes a header value of `type` takes after the type byte (strings and byte arrays: -1, length-prefixed). */
function fixedValueSize(type: i32): i32 {
  switch (type) {
    case 0: case 1: return 0; // bool true / false
    case 2: return 1;
    case 3: return 2;
    case 4: return 4;
    case 5: case 8: return 8; // long, timestamp
    case 9: return 16; // uuid
    case 6: case 7: return -1; // bytes, string
    default: return -2;
  }
}

export class EventStreamDecoder {
  /** An incomplete message's bytes so far; appended to in place, so a large one is not copied per piece. */
  private readonly pending: ByteBuffer = new ByteBuffer(0);
  /** Why the stream cannot be read further, "" while it can. */
  error: string = "";

  /** Bytes of an incomplete message held back. */
  get held(): i32 {
    return this.pending.length;
  }

  /** Decodes the messages `bytes` completes; a partial one waits for the next call. */
  push(bytes: ArrayBuffer): Array<StreamMessage> {
    const out = new Array<StreamMessage>();
    if (this.error.length > 0) return out;
    const pending = this.pending;
    const held = pending.length > 0;
    if (held) pending.writeBytes(changetype<usize>(bytes), bytes.byteLength);
    const data = held ? Uint8Array.wrap(pending.buffer, 0, pending.length) : Uint8Array.wrap(bytes);
    let at = 0;
    while (data.length - at >= PRELUDE_BYTES) {
      const total = u32be(data, at);
      const headersLength = u32be(data, at + 4);
      if (crc32(data, at, 8) != u32be(data, at + 8)) { this.error = "an event stream prelude failed its CRC"; return out; }
      if (total < <u32>MIN_MESSAGE_BYTES || total > <u32>MAX_MESSAGE_BYTES || headersLength > total - <u32>MIN_MESSAGE_BYTES) {
        this.error = "an event stream message has an impossible length";
        return out;
      }
      if (<u32>(data.length - at) < total) break;
      const end = at + <i32>total;
      if (crc32(data, at, <i32>total - 4) != u32be(data, end - 4)) { this.error = "an event stream message failed its CRC"; return out; }
      const message = this.message(data, at + PRELUDE_BYTES, at + PRELUDE_BYTES + <i32>headersLength, end - 4);
      if (message == null) return out;
      out.push(message);
      at = end;
    }
    // Keep only what is left of an incomplete message.
    const left = data.length - at;
    if (!held) {
      if (left > 0) pending.writeBytes(data.dataStart + <usize>at, left);
    } else if (left == 0) {
      pending.release(KEPT_BYTES);
    } else if (at > 0) {
      memory.copy(pending.at(0), pending.at(at), <usize>left);
      pending.length = left;
    }
    return out;
  }

  private message(data: Uint8Array, headersStart: i32, payloadStart: i32, payloadEnd: i32): StreamMessage | null {
    const message = new StreamMessage();
    let at = headersStart;
    while (at < payloadStart) {
      const nameLength = <i32>unchecked(data[at]);
      if (at + 1 + nameLength + 1 > payloadStart) { this.error = "an event stream header is cut short"; return null; }
      const name = String.UTF8.decodeUnsafe(data.dataStart + <usize>(at + 1), <usize>nameLength);
      at += 1 + nameLength;
      const type = <i32>unchecked(data[at]);
      at++;
      let size = fixedValueSize(type);
      if (size == -2) { this.error = "an event stream header has an unknown type"; return null; }
      let valueStart = at;
      if (size == -1) {
        if (at + 2 > payloadStart) { this.error = "an event stream header is cut short"; return null; }
        size = u16be(data, at);
        valueStart = at + 2;
      }
      if (valueStart + size > payloadStart) { this.error = "an event stream header is cut short"; return null; }
      if (type == 7) {
        const value = String.UTF8.decodeUnsafe(data.dataStart + <usize>valueStart, <usize>size);
        if (name == ":event-type") message.eventType = value;
        else if (name == ":message-type") message.messageType = value;
        else if (name == ":exception-type") message.exceptionType = value;
      }
      at = valueStart + size;
    }
    message.payload = data.buffer.slice(data.byteOffset + payloadStart, data.byteOffset + payloadEnd);
    return message;
  }
}
