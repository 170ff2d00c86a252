// The API Gateway REST API payload v1.0 event ("proxy integration"): single-value maps hold the last
// value, multiValue maps every value in order; absent maps are null, as API Gateway sends them.
import { JsonWriter } from "../util/json-writer";
import { parseQuery } from "../util/query";
import { writeBody } from "./body-encoding";
import { apiGatewayTime } from "./api-gateway-time";
import { RequestFacts } from "./request-facts";
import { GroupedValues } from "./grouped-values";

/** Each name with its last value (v1's single-value maps); null when empty. */
function writeLast(json: JsonWriter, map: GroupedValues): void {
  if (map.names.length == 0) { json.nil(); return; }
  json.beginObject();
  for (let i = 0; i < map.names.length; i++) json.key(map.names[i]).string(map.values[i][map.values[i].length - 1]);
  json.endObject();
}

/** Each name with all its values (v1's multiValue maps); null when empty. */
function writeAll(json: JsonWriter, map: GroupedValues): void {
  if (map.names.length == 0) { json.nil(); return; }
  json.beginObject();
  for (let i = 0; i < map.names.length; i++) {
    json.key(map.names[i]).beginArray();
    for (let k = 0; k < map.values[i].length; k++) json.string(map.values[i][k]);
    json.endArray();
  }
  json.endObject();
}

/** Writes the request as a payload v1.0 event into `json`. */
export function eventV1(facts: RequestFacts, json: JsonWriter): void {
  const headers = new GroupedValues();
  for (let i = 0; i < facts.headers.length; i++) headers.add(facts.headers[i].name, facts.headers[i].value);
  const query = new GroupedValues();
  const params = parseQuery(facts.rawQuery);
  for (let i = 0; i < params.length; i++) query.add(params[i].name, params[i].value);

  json.beginObject();
  json.key("resource").string("/{proxy+}");
  json.key("path").string(facts.rawPath);
  json.key("httpMethod").string(facts.method);
  json.key("headers"); writeLast(json, headers);
  json.key("multiValueHeaders"); writeAll(json, headers);
  json.key("queryStringParameters"); writeLast(json, query);
  json.key("multiValueQueryStringParameters"); writeAll(json, query);
  json.key("pathParameters").beginObject().key("proxy").string(facts.rawPath.startsWith("/") ? facts.rawPath.substring(1) : facts.rawPath).endObject();
  json.key("stageVariables").nil();
  json.key("requestContext").beginObject();
  json.key("accountId").string(facts.accountId);
  json.key("apiId").string("aws-lambda-wasm");
  json.key("domainName").string(facts.domainName);
  json.key("httpMethod").string(facts.method);
  json.key("identity").beginObject().key("sourceIp").string(facts.sourceIp).key("userAgent").string(facts.header("user-agent")).endObject();
  json.key("path").string(facts.rawPath);
  json.key("protocol").string(facts.protocol);
  json.key("requestId").string(facts.requestId);
  json.key("requestTime").string(apiGatewayTime(facts.timeEpochMillis));
  json.key("requestTimeEpoch").integer(facts.timeEpochMillis);
  json.key("resourcePath").string("/{proxy+}");
  json.key("stage").string("$default");
  json.endObject();
  writeBody(json, facts.body, facts.header("content-type"), true);
  json.endObject();
}
