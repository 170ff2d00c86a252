// Proxy mode, request side: the client's request, still held by the host, becomes the signed request to the
// function in place. Envoy rewrites `:method`, `:path` and `:authority` (every header change clears its
// route cache, so the route for the function's host is chosen again); APISIX sets $upstream_uri and
// $upstream_host, which its route upstream is built from. Headers the filter drops are removed, the ones it
// adds or changes are set; framing (content-length, transfer-encoding) stays the host's.
import { removeHeader, replaceHeader, addHeader, setBuffer, setProperty } from "../abi/host";
import { BufferType, MapType, WasmResult } from "../abi/types";
import { Header } from "../http/header";
import { OutgoingRequest } from "../http/outgoing-request";
import { proxyRewritesViaVariables } from "./host-traits";

const REQUEST = MapType.HttpRequestHeaders;

function valuesOf(headers: Array<Header>, name: string): Array<string> {
  const values = new Array<string>();
  for (let i = 0; i < headers.length; i++) if (headers[i].name == name) values.push(headers[i].value);
  return values;
}

function sameValues(a: Array<string>, b: Array<string>): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

/** Headers the host frames the body with, and Host on APISIX (set through $upstream_host). */
function kept(name: string): bool {
  return name == "content-length" || name == "transfer-encoding" || (name == "host" && proxyRewritesViaVariables());
}

/** Sets every value of `name` to `values` (one replace, then adds). */
function setValues(name: string, values: Array<string>): WasmResult {
  let result = replaceHeader(REQUEST, name, values[0]);
  for (let i = 1; i < values.length && result == WasmResult.Ok; i++) result = addHeader(REQUEST, name, values[i]);
  return result;
}

/**
 * Turns the held request (`client`: its headers as read) into `outgoing` plus `extra` (the signature);
 * `heldBodySize` ≥ 0 when the held body (of that size) is replaced by outgoing's. "" when done, else which host
 * call failed.
 */
export function rewriteRequest(client: Array<Header>, outgoing: OutgoingRequest, extra: Array<Header>, heldBodySize: i64): string {
  const target = outgoing.pathWithQuery;
  if (proxyRewritesViaVariables()) {
    if (setProperty(["upstream_uri"], target) != WasmResult.Ok) return "setting $upstream_uri";
    if (setProperty(["upstream_host"], outgoing.authority) != WasmResult.Ok) return "setting $upstream_host";
  } else {
    if (replaceHeader(REQUEST, ":method", outgoing.method) != WasmResult.Ok) return "rewriting :method";
    if (replaceHeader(REQUEST, ":path", target) != WasmResult.Ok) return "rewriting :path";
    if (replaceHeader(REQUEST, ":authority", outgoing.authority) != WasmResult.Ok) return "rewriting :authority";
    // The function is https: an HTTP/2 upstream connection sends :scheme, and Envoy keeps a valid client value.
    if (!sameValues(valuesOf(client, ":scheme"), [outgoing.scheme])
      && replaceHeader(REQUEST, ":scheme", outgoing.scheme) != WasmResult.Ok) return "rewriting :scheme";
  }
  const wanted = new Array<Header>();
  for (let i = 0; i < outgoing.headers.length; i++) wanted.push(outgoing.headers[i]);
  for (let i = 0; i < extra.length; i++) wanted.push(extra[i]);
  if (heldBodySize >= 0) {
    // A new body brings its own framing.
    wanted.push(new Header("content-length", outgoing.body.byteLength.toString()));
    if (removeHeader(REQUEST, "transfer-encoding") != WasmResult.Ok) return "removing transfer-encoding";
  }
  const removed = new Set<string>();
  for (let i = 0; i < client.length; i++) {
    const name = client[i].name;
    if (name.length == 0 || name.charCodeAt(0) == 0x3a || kept(name) || removed.has(name)) continue;
    if (valuesOf(wanted, name).length > 0) continue;
    removed.add(name);
    if (removeHeader(REQUEST, name) != WasmResult.Ok) return "removing " + name;
  }
  const done = new Set<string>();
  for (let i = 0; i < wanted.length; i++) {
    const name = wanted[i].name;
    if (done.has(name)) continue;
    done.add(name);
    const values = valuesOf(wanted, name);
    if (sameValues(values, valuesOf(client, name))) continue;
    if (setValues(name, values) != WasmResult.Ok) return "setting " + name;
  }
  if (heldBodySize >= 0 && setBuffer(BufferType.HttpRequestBody, 0, <u32>heldBodySize, outgoing.body) != WasmResult.Ok) {
    return "replacing the request body";
  }
  return "";
}
