// REFERENCE COPY of the string-based event writer as it was before issue 15 (pieces joined, then UTF-8
// encoded), kept only as the oracle the one-pass byte writer must match byte for byte (unit/invoke.ts).
// How an event carries the request body: as text when it is textual and valid UTF-8, otherwise base64
// with isBase64Encoded — the rule API Gateway and Envoy's aws_lambda filter apply.
import { isValidUtf8 } from "../../kernel/utf8";
import { base64Encode } from "../../kernel/base64";
import { JsonWriter } from "./json-writer";
import { asciiLower } from "../../kernel/ascii";

/** True for content types whose bodies are text (text/*, JSON, XML, forms, JavaScript). */
export function isTextualContentType(contentType: string): bool {
  const type = asciiLower(contentType).split(";")[0].trim();
  if (type.startsWith("text/")) return true;
  return type == "application/json" || type == "application/xml" || type == "application/javascript"
    || type == "application/x-www-form-urlencoded" || type == "application/graphql"
    || type.endsWith("+json") || type.endsWith("+xml");
}

export class EncodedBody {
  constructor(public text: string, public isBase64Encoded: bool) {}
}

/** The body as an event field. */
export function encodeBody(body: ArrayBuffer, contentType: string): EncodedBody {
  if (isTextualContentType(contentType) && isValidUtf8(body)) return new EncodedBody(String.UTF8.decode(body), false);
  return new EncodedBody(base64Encode(body), true);
}

/** Writes `body` and `isBase64Encoded` members; an empty body is omitted (v2) or null (v1, `nullWhenEmpty`). */
export function writeBody(json: JsonWriter, body: ArrayBuffer, contentType: string, nullWhenEmpty: bool): void {
  if (body.byteLength == 0) {
    if (nullWhenEmpty) json.key("body").nil();
    json.key("isBase64Encoded").bool(false);
    return;
  }
  const encoded = encodeBody(body, contentType);
  // Base64 text never needs escaping: skip the scan over what is the largest member of the event.
  if (encoded.isBase64Encoded) json.key("body").plainString(encoded.text);
  else json.key("body").string(encoded.text);
  json.key("isBase64Encoded").bool(encoded.isBase64Encoded);
}
