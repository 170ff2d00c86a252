// The VM's contexts by id. Root contexts and streams share one id space (hosts.md); a callout response
// names its root and token, which lead to the stream — or to nothing, when the stream is gone.
import { LogLevel } from "../abi/types";
import { monotonicNanos } from "../abi/wasi";
import { deliverCredentialAnswer } from "./credential-providers";
import { logLine } from "./replies";
import { RootContext } from "./root-context";
import { StreamContext } from "./stream-context";

const roots = new Map<u32, RootContext>();
const streams = new Map<u32, StreamContext>();

/** proxy_on_context_create: parent 0 makes a root context, otherwise a stream of that root. */
export function createContext(id: u32, parentId: u32): void {
  if (parentId == 0) {
    roots.set(id, new RootContext(id));
    return;
  }
  // A stream of an unknown root still gets a context: it will answer 503 "not configured".
  const root = roots.has(parentId) ? roots.get(parentId) : new RootContext(parentId);
  streams.set(id, new StreamContext(id, root));
}

export function rootContext(id: u32): RootContext | null {
  return roots.has(id) ? roots.get(id) : null;
}

export function streamContext(id: u32): StreamContext | null {
  return streams.has(id) ? streams.get(id) : null;
}

/** Routes a callout response to the stream that dispatched it; late or unknown answers are dropped. */
export function deliverCalloutResponse(rootId: u32, token: u32, headerCount: usize, bodySize: usize): void {
  if (deliverCredentialAnswer(token, headerCount, bodySize)) return;
  const root = rootContext(rootId);
  if (root == null || !root.pending.has(token)) {
    logLine(LogLevel.Debug, "dropped a callout response for token " + token.toString() + " with no waiting request");
    return;
  }
  const streamId = root.pending.get(token);
  root.pending.delete(token);
  const stream = streamContext(streamId);
  if (stream != null) stream.onCalloutResponse(headerCount, bodySize);
}

/** proxy_on_tick: retries whose backoff has passed go out now. */
export function tick(rootId: u32): void {
  const root = rootContext(rootId);
  if (root == null) return;
  root.refreshCredentials();
  const due = root.retries.takeDue(monotonicNanos() / 1_000_000);
  for (let i = 0; i < due.length; i++) {
    const stream = streamContext(due[i]);
    if (stream != null) stream.retryNow();
  }
}

/** proxy_on_delete: forget the context; a root's in-flight streams keep their own reference to it. */
export function deleteContext(id: u32): void {
  if (streams.has(id)) {
    streams.get(id).onDelete();
    streams.delete(id);
  } else if (roots.has(id)) {
    roots.delete(id);
  }
}
