// A streaming function's output may start with an HTTP integration prelude — JSON metadata, then eight NUL
// bytes — that sets the client's status and headers (awslambda.HttpResponseStream.from writes
// JSON.stringify(prelude) and 8 NULs before the first body byte). Output that does not start with '{' has
// none; output that does is held only until its first JSON object closes: 8 NULs right after it make it the
// prelude, anything else means the output is the body (so a stream of JSON lines is not held back). An
// object still open after 64 KiB is body too.
import { ByteBuffer } from "../kernel/byte-buffer";
import { FunctionResponse, readPrelude } from "./unwrap";

const DELIMITER_BYTES = 8;
const MAX_PRELUDE_BYTES = 65536;

export enum PreludeState { Waiting, Found, Absent, Invalid }

/** Finds where the JSON object at the start of the output ends, a few bytes at a time (never rescanning). */
class ObjectScanner {
  private scanned: i32 = 0;
  private depth: i32 = 0;
  private inString: bool = false;
  private escaped: bool = false;
  /** The index after the object's closing '}', -1 while it is open. */
  end: i32 = -1;

  /** Scans the new part of `data` (which only ever grows at its end). */
  scan(data: Uint8Array): void {
    for (let i = this.scanned; i < data.length && this.end < 0; i++) {
      const c = unchecked(data[i]);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c == 0x5c) this.escaped = true;
        else if (c == 0x22) this.inString = false;
      } else if (c == 0x22) {
        this.inString = true;
      } else if (c == 0x7b || c == 0x5b) {
        this.depth++;
      } else if ((c == 0x7d || c == 0x5d) && --this.depth == 0) {
        this.end = i + 1;
      }
    }
    this.scanned = data.length;
  }
}

export class PreludeReader {
  state: PreludeState = PreludeState.Waiting;
  /** The prelude's status and headers once Found; the reason once Invalid. */
  prelude: FunctionResponse = new FunctionResponse();
  /** Output held while the prelude is looked for; appended to in place (pieces may be a few bytes each). */
  private readonly held: ByteBuffer = new ByteBuffer(0);
  private readonly scanner: ObjectScanner = new ObjectScanner();

  /** Takes the next output bytes; returns the body bytes that may go to the client now. */
  push(bytes: ArrayBuffer): ArrayBuffer {
    if (this.state != PreludeState.Waiting) return bytes;
    const held = this.held;
    held.writeBytes(changetype<usize>(bytes), bytes.byteLength);
    const data = Uint8Array.wrap(held.buffer, 0, held.length);
    if (data.length > 0 && data[0] != 0x7b) return this.settle(PreludeState.Absent, data, 0);
    this.scanner.scan(data);
    const end = this.scanner.end;
    if (end < 0) {
      if (data.length > MAX_PRELUDE_BYTES) return this.settle(PreludeState.Absent, data, 0);
      return new ArrayBuffer(0);
    }
    const available = data.length - end < DELIMITER_BYTES ? data.length - end : DELIMITER_BYTES;
    for (let i = 0; i < available; i++) {
      if (data[end + i] != 0) return this.settle(PreludeState.Absent, data, 0);
    }
    if (available < DELIMITER_BYTES) return new ArrayBuffer(0);
    const prelude = readPrelude(data.buffer.slice(data.byteOffset, data.byteOffset + end));
    this.prelude = prelude;
    if (prelude.error.length > 0) return this.settle(PreludeState.Invalid, data, data.length);
    return this.settle(PreludeState.Found, data, end + DELIMITER_BYTES);
  }

  /** The stream ended: output held while looking for a prelude is body after all. */
  finish(): ArrayBuffer {
    if (this.state != PreludeState.Waiting) return new ArrayBuffer(0);
    return this.settle(PreludeState.Absent, Uint8Array.wrap(this.held.buffer, 0, this.held.length), 0);
  }

  private settle(state: PreludeState, data: Uint8Array, bodyStart: i32): ArrayBuffer {
    this.state = state;
    const body = data.buffer.slice(data.byteOffset + bodyStart, data.byteOffset + data.length);
    this.held.release(0);
    return body;
  }
}
