// Typed wrappers over the host imports: the only place (with memory.ts and header-map.ts) that deals in
// pointers. Every wrapper returns a value or a WasmResult; none traps on a host answer.
import * as imports from "./imports";
import { BufferType, LogLevel, MapType, MetricType, WasmResult } from "./types";
import { claimHostBuffer, releaseUnclaimed } from "./memory";
import { decodeHeaderMap, encodeHeaderMap } from "./header-map";
import { Header } from "../http/header";
import { decodeUtf8LossyBuffer } from "../kernel/utf8";

// Out-parameters of host calls (pointer + size, or an id).
const outPtr = memory.data(8);
const outSize = memory.data(8);

/** UTF-8 for the host; a lone surrogate becomes U+FFFD rather than WTF-8 bytes. */
function utf8(text: string): ArrayBuffer {
  return String.UTF8.encode(text, false, String.UTF8.ErrorMode.REPLACE);
}

/** The bytes the host wrote through outPtr/outSize after a successful call. */
function takeOut(): ArrayBuffer {
  const buffer = claimHostBuffer(<usize>load<u32>(outPtr), <usize>load<u32>(outSize));
  releaseUnclaimed();
  return buffer;
}

function clearOut(): void {
  store<u32>(outPtr, 0);
  store<u32>(outSize, 0);
}

/** Writes one line to the host's log. */
export function log(level: LogLevel, message: string): void {
  const bytes = utf8(message);
  imports.proxy_log(<u32>level, changetype<usize>(bytes), bytes.byteLength);
}

/** Property path segments are joined with NUL bytes (proxy-wasm spec). */
function propertyPath(path: Array<string>): ArrayBuffer {
  return utf8(path.join("\0"));
}

/** Reads a host property; null when the host does not have it. */
export function getProperty(path: Array<string>): ArrayBuffer | null {
  const key = propertyPath(path);
  clearOut();
  const result = imports.proxy_get_property(changetype<usize>(key), key.byteLength, outPtr, outSize);
  if (result != WasmResult.Ok) {
    releaseUnclaimed();
    return null;
  }
  return takeOut();
}

/** Sets a host property (APISIX: an nginx variable, e.g. wasm_process_req_body). */
export function setProperty(path: Array<string>, value: string): WasmResult {
  const key = propertyPath(path);
  const bytes = utf8(value);
  return <WasmResult>imports.proxy_set_property(changetype<usize>(key), key.byteLength,
    changetype<usize>(bytes), bytes.byteLength);
}

/** Reads up to `maxSize` bytes of a host buffer from `start`; empty when the host has none (APISIX: NotFound). */
export function getBuffer(type: BufferType, start: u32, maxSize: u32): ArrayBuffer {
  clearOut();
  const result = imports.proxy_get_buffer_bytes(<u32>type, start, maxSize, outPtr, outSize);
  if (result != WasmResult.Ok) {
    releaseUnclaimed();
    return new ArrayBuffer(0);
  }
  return takeOut();
}

/** All pairs of a header map, in host order; empty when unavailable. */
export function getHeaders(type: MapType): Array<Header> {
  clearOut();
  const result = imports.proxy_get_header_map_pairs(<u32>type, outPtr, outSize);
  if (result != WasmResult.Ok) {
    releaseUnclaimed();
    return new Array<Header>();
  }
  return decodeHeaderMap(takeOut());
}

/**
 * One header's value (`name` lower case), null when missing or unreadable. A single-key read: APISIX builds
 * only the pseudo-header asked for, where a whole-map read builds every one of them.
 */
export function getHeader(type: MapType, name: string): string | null {
  const key = utf8(name);
  clearOut();
  const result = imports.proxy_get_header_map_value(<u32>type, changetype<usize>(key), key.byteLength, outPtr, outSize);
  if (result != WasmResult.Ok) {
    releaseUnclaimed();
    return null;
  }
  return decodeUtf8LossyBuffer(takeOut());
}

/** Outcome of proxy_http_call: the host's result and, when Ok, the token the response will carry. */
export class CalloutDispatch {
  constructor(public result: WasmResult, public token: u32) {}
}

/** The empty trailer map every callout sends, encoded once. */
const NO_TRAILERS = encodeHeaderMap(new Array<Header>());

/** Dispatches an HTTP callout; the response arrives in proxy_on_http_call_response on the root context. */
export function httpCall(upstream: string, headers: Array<Header>, body: ArrayBuffer, timeoutMs: u32): CalloutDispatch {
  const target = utf8(upstream);
  const headerMap = encodeHeaderMap(headers);
  store<u32>(outPtr, 0);
  const result = <WasmResult>imports.proxy_http_call(changetype<usize>(target), target.byteLength,
    changetype<usize>(headerMap), headerMap.byteLength, changetype<usize>(body), body.byteLength,
    changetype<usize>(NO_TRAILERS), NO_TRAILERS.byteLength, timeoutMs, outPtr);
  return new CalloutDispatch(result, load<u32>(outPtr));
}

/** Answers the client of the effective stream directly. `details` must not contain spaces (Envoy). */
export function sendLocalResponse(status: u32, details: string, body: ArrayBuffer, headers: Array<Header>): WasmResult {
  const detailBytes = utf8(details);
  const headerMap = encodeHeaderMap(headers);
  return <WasmResult>imports.proxy_send_local_response(status, changetype<usize>(detailBytes), detailBytes.byteLength,
    changetype<usize>(body), body.byteLength, changetype<usize>(headerMap), headerMap.byteLength, -1);
}

/** Makes later host calls act on this stream (needed in the callout callback, which runs on the root). */
export function setEffectiveContext(contextId: u32): WasmResult {
  return <WasmResult>imports.proxy_set_effective_context(contextId);
}

/** Defines (or finds) a metric; -1 when the host refuses, which later updates then ignore (0 is a valid id on Envoy). */
export function defineMetric(type: MetricType, name: string): i64 {
  const bytes = utf8(name);
  store<u32>(outPtr, 0);
  const result = imports.proxy_define_metric(<u32>type, changetype<usize>(bytes), bytes.byteLength, outPtr);
  return result == WasmResult.Ok ? <i64>load<u32>(outPtr) : -1;
}

/** Adds `delta` to a counter or gauge. */
export function incrementMetric(id: i64, delta: i64): void {
  if (id >= 0) imports.proxy_increment_metric(<u32>id, delta);
}

/** Records one histogram sample (or sets a gauge). */
export function recordMetric(id: i64, value: u64): void {
  if (id >= 0) imports.proxy_record_metric(<u32>id, value);
}

/** Asks for proxy_on_tick every `periodMs` on the current root (0 stops); false where the host has no ticks. */
export function setTickPeriod(periodMs: u32): bool {
  return imports.proxy_set_tick_period_milliseconds(periodMs) == WasmResult.Ok;
}

/** A host property as text, "" when the host does not have it. */
export function getPropertyText(path: Array<string>): string {
  const value = getProperty(path);
  return value == null ? "" : decodeUtf8LossyBuffer(value);
}
