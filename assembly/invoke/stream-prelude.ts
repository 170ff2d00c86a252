// A streaming function's output may start with an HTTP integration prelude — JSON metadata, then eight NUL
// bytes — that sets the client's status and headers (awslambda.HttpResponseStream.from writes
// JSON.stringify(prelude) and 8 NULs before the first body byte). Output that does not start with '{' has
// none; output that does is held only until its first JSON object closes: 8 NULs right after it make it the
// prelude, anything else means the output is the body (so a stream of JSON lines is not held back). An
// object still open after 64 KiB is body too.
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
  private held: Uint8Array = new Uint8Array(0);
  private readonly scanner: ObjectScanner = new ObjectScanner();

  /** Takes the next output bytes; returns the body bytes that may go to the client now. */
  push(bytes: ArrayBuffer): ArrayBuffer {
    if (this.state != PreludeState.Waiting) return bytes;
    const data = new Uint8Array(this.held.length + bytes.byteLength);
    data.set(this.held, 0);
    data.set(Uint8Array.wrap(bytes), this.held.length);
    if (data.length > 0 && data[0] != 0x7b) return this.settle(PreludeState.Absent, data, 0);
    this.scanner.scan(data);
    const end = this.scanner.end;
    if (end < 0) {
      if (data.length > MAX_PRELUDE_BYTES) return this.settle(PreludeState.Absent, data, 0);
      this.held = data;
      return new ArrayBuffer(0);
    }
    const available = data.length - end < DELIMITER_BYTES ? data.length - end : DELIMITER_BYTES;
    for (let i = 0; i < available; i++) {
      if (data[end + i] != 0) return this.settle(PreludeState.Absent, data, 0);
    }
    if (available < DELIMITER_BYTES) {
      this.held = data;
      return new ArrayBuffer(0);
    }
    const prelude = readPrelude(data.buffer.slice(data.byteOffset, data.byteOffset + end));
    this.prelude = prelude;
    if (prelude.error.length > 0) return this.settle(PreludeState.Invalid, data, data.length);
    return this.settle(PreludeState.Found, data, end + DELIMITER_BYTES);
  }

  /** The stream ended: output held while looking for a prelude is body after all. */
  finish(): ArrayBuffer {
    if (this.state != PreludeState.Waiting) return new ArrayBuffer(0);
    return this.settle(PreludeState.Absent, this.held, 0);
  }

  private settle(state: PreludeState, data: Uint8Array, bodyStart: i32): ArrayBuffer {
    this.state = state;
    this.held = new Uint8Array(0);
    return data.buffer.slice(data.byteOffset + bodyStart, data.byteOffset + data.length);
  }
}
