// How an event carries the request body: as text when it is textual and valid UTF-8, otherwise base64
// with isBase64Encoded — the rule API Gateway and Envoy's aws_lambda filter apply.
import { asciiLower } from "../kernel/ascii";
import { jsonTextSize } from "../kernel/json-bytes";
import { JsonWriter } from "../util/json-writer";

/** True for content types whose bodies are text (text/*, JSON, XML, forms, JavaScript). */
export function isTextualContentType(contentType: string): bool {
  const type = asciiLower(contentType).split(";")[0].trim();
  if (type.startsWith("text/")) return true;
  return type == "application/json" || type == "application/xml" || type == "application/javascript"
    || type == "application/x-www-form-urlencoded" || type == "application/graphql"
    || type.endsWith("+json") || type.endsWith("+xml");
}

/** Writes `body` and `isBase64Encoded` members; an empty body is omitted (v2) or null (v1, `nullWhenEmpty`). */
export function writeBody(json: JsonWriter, body: ArrayBuffer, contentType: string, nullWhenEmpty: bool): void {
  if (body.byteLength == 0) {
    if (nullWhenEmpty) json.key("body").nil();
    json.key("isBase64Encoded").bool(false);
    return;
  }
  const ptr = changetype<usize>(body);
  const length = <usize>body.byteLength;
  // One pass tells text (well-formed UTF-8) from base64 and sizes the escaped text; the bytes are then
  // written straight into the event.
  const size = isTextualContentType(contentType) ? jsonTextSize(ptr, length) : -1;
  json.key("body");
  if (size >= 0) json.utf8Text(ptr, length, size);
  else json.base64(ptr, length);
  json.key("isBase64Encoded").bool(size < 0);
}
