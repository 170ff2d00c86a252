// What InvokeWithResponseStream's answer becomes for the client: the bytes of each PayloadChunk, as they
// arrive, after the HTTP integration prelude (status and headers) when the function wrote one; and how the
// invocation ended — InvokeComplete with or without an ErrorCode, an exception message, or a broken stream.
import { joinBytes } from "../kernel/byte-buffer";
import { JsonKind, parseJson } from "../util/json-reader";
import { EventStreamDecoder } from "./event-stream";
import { PreludeReader, PreludeState } from "./stream-prelude";

/** Longest ErrorDetails quoted in the log. */
const MAX_DETAILS = 256;

function errorOf(payload: ArrayBuffer): string {
  const parsed = parseJson(String.UTF8.decode(payload), 8).value;
  if (parsed == null || parsed.kind != JsonKind.Object) return "";
  const code = parsed.get("ErrorCode");
  if (code == null || code.kind != JsonKind.String || code.text.length == 0) return "";
  const details = parsed.get("ErrorDetails");
  let text = code.text;
  if (details != null && details.kind == JsonKind.String && details.text.length > 0) {
    text += ": " + (details.text.length > MAX_DETAILS ? details.text.substring(0, MAX_DETAILS) + "..." : details.text);
  }
  return text;
}

export class StreamedInvocation {
  private readonly decoder: EventStreamDecoder = new EventStreamDecoder();
  readonly prelude: PreludeReader = new PreludeReader();
  /** InvokeComplete arrived. */
  completed: bool = false;
  /** The function's error (InvokeComplete's ErrorCode, or an exception message), "" when none. */
  functionError: string = "";

  /** Why the stream could not be read (bad CRC, cut-off message), "" while it can. */
  get streamError(): string {
    return this.decoder.error;
  }

  /** True once the client's status and headers are known (prelude found, absent or invalid). */
  get headersKnown(): bool {
    return this.prelude.state != PreludeState.Waiting;
  }

  /** Takes the next bytes of the event stream; returns the body bytes for the client now. */
  push(bytes: ArrayBuffer): ArrayBuffer {
    const messages = this.decoder.push(bytes);
    const parts = new Array<ArrayBuffer>();
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i];
      if (message.messageType == "exception" || message.messageType == "error") {
        this.functionError = (message.exceptionType.length > 0 ? message.exceptionType : "exception") + " in the stream";
      } else if (message.eventType == "PayloadChunk") {
        const body = this.prelude.push(message.payload);
        if (body.byteLength > 0) parts.push(body);
      } else if (message.eventType == "InvokeComplete") {
        this.completed = true;
        const error = errorOf(message.payload);
        if (error.length > 0) this.functionError = error;
      }
    }
    return parts.length == 0 ? new ArrayBuffer(0) : joinBytes(parts);
  }

  /** The stream ended: body held back while looking for a prelude. */
  finish(): ArrayBuffer {
    return this.prelude.finish();
  }
}
