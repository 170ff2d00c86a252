// The API Gateway HTTP API payload v2.0 event, which AWS Lambda Web Adapter and the common frameworks
// accept: cookies split out of the Cookie header, repeated headers and query values joined with ','.
import { JsonWriter } from "../util/json-writer";
import { parseQuery } from "../util/query";
import { writeBody } from "./body-encoding";
import { apiGatewayTime } from "./api-gateway-time";
import { RequestFacts } from "./request-facts";
import { GroupedValues } from "./grouped-values";

/** Writes each name with its values joined by ',' (API Gateway's rule for v2 maps). */
function writeJoined(json: JsonWriter, map: GroupedValues): void {
  json.beginObject();
  for (let i = 0; i < map.names.length; i++) {
    const values = map.values[i];
    json.key(map.names[i]).beginString();
    for (let k = 0; k < values.length; k++) {
      if (k > 0) json.chars(",");
      json.chars(values[k]);
    }
    json.endString();
  }
  json.endObject();
}

/** Writes the request as a payload v2.0 event into `json`. */
export function eventV2(facts: RequestFacts, json: JsonWriter): void {
  const headers = new GroupedValues();
  const cookies = new Array<string>();
  for (let i = 0; i < facts.headers.length; i++) {
    const header = facts.headers[i];
    if (header.name != "cookie") { headers.add(header.name, header.value); continue; }
    const parts = header.value.split(";");
    for (let k = 0; k < parts.length; k++) {
      const cookie = parts[k].trim();
      if (cookie.length > 0) cookies.push(cookie);
    }
  }
  const params = parseQuery(facts.rawQuery);
  const query = new GroupedValues();
  for (let i = 0; i < params.length; i++) query.add(params[i].name, params[i].value);

  json.beginObject();
  json.key("version").string("2.0");
  json.key("routeKey").string("$default");
  json.key("rawPath").string(facts.rawPath);
  json.key("rawQueryString").string(facts.rawQuery);
  if (cookies.length > 0) {
    json.key("cookies").beginArray();
    for (let i = 0; i < cookies.length; i++) json.string(cookies[i]);
    json.endArray();
  }
  json.key("headers");
  writeJoined(json, headers);
  if (params.length > 0) {
    json.key("queryStringParameters");
    writeJoined(json, query);
  }
  json.key("requestContext").beginObject();
  json.key("accountId").string(facts.accountId);
  json.key("apiId").string("aws-lambda-wasm");
  json.key("domainName").string(facts.domainName);
  const dot = facts.domainName.indexOf(".");
  json.key("domainPrefix").string(dot < 0 ? facts.domainName : facts.domainName.substring(0, dot));
  json.key("http").beginObject();
  json.key("method").string(facts.method);
  json.key("path").string(facts.rawPath);
  json.key("protocol").string(facts.protocol);
  json.key("sourceIp").string(facts.sourceIp);
  json.key("userAgent").string(facts.header("user-agent"));
  json.endObject();
  json.key("requestId").string(facts.requestId);
  json.key("routeKey").string("$default");
  json.key("stage").string("$default");
  json.key("time").string(apiGatewayTime(facts.timeEpochMillis));
  json.key("timeEpoch").integer(facts.timeEpochMillis);
  json.endObject();
  writeBody(json, facts.body, facts.header("content-type"), false);
  json.endObject();
}
