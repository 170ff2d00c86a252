// A streaming function's output may start with an HTTP integration prelude — JSON metadata, then eight NUL
// bytes — that sets the client's status and headers (awslambda.HttpResponseStream.from writes it before the
// first body byte). Output that does not start with '{', or finds no delimiter within 64 KiB, has none.
import { FunctionResponse, readPrelude } from "./unwrap";

const DELIMITER_BYTES = 8;
const MAX_PRELUDE_BYTES = 65536;

export enum PreludeState { Waiting, Found, Absent, Invalid }

export class PreludeReader {
  state: PreludeState = PreludeState.Waiting;
  /** The prelude's status and headers once Found; the reason once Invalid. */
  prelude: FunctionResponse = new FunctionResponse();
  private held: Uint8Array = new Uint8Array(0);

  /** Takes the next output bytes; returns the body bytes that may go to the client now. */
  push(bytes: ArrayBuffer): ArrayBuffer {
    if (this.state != PreludeState.Waiting) return bytes;
    const data = new Uint8Array(this.held.length + bytes.byteLength);
    data.set(this.held, 0);
    data.set(Uint8Array.wrap(bytes), this.held.length);
    if (data.length > 0 && data[0] != 0x7b) return this.settle(PreludeState.Absent, data, 0);
    let zeros = 0;
    for (let i = 0; i < data.length; i++) {
      zeros = data[i] == 0 ? zeros + 1 : 0;
      if (zeros < DELIMITER_BYTES) continue;
      const end = i - DELIMITER_BYTES + 1;
      const prelude = readPrelude(data.buffer.slice(0, end));
      this.prelude = prelude;
      if (prelude.error.length > 0) return this.settle(PreludeState.Invalid, data, data.length);
      return this.settle(PreludeState.Found, data, i + 1);
    }
    if (data.length > MAX_PRELUDE_BYTES) return this.settle(PreludeState.Absent, data, 0);
    this.held = data;
    return new ArrayBuffer(0);
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
