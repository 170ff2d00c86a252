// The API Gateway REST API payload v1.0 event ("proxy integration"): single-value maps hold the last
// value, multiValue maps every value in order; absent maps are null, as API Gateway sends them.
import { JsonWriter } from "../util/json-writer";
import { parseQuery } from "../util/percent";
import { writeBody } from "./body-encoding";
import { apiGatewayTime } from "./api-gateway-time";
import { RequestFacts } from "./request-facts";

class MultiMap {
  private index: Map<string, i32> = new Map();
  names: Array<string> = [];
  values: Array<Array<string>> = [];

  add(name: string, value: string): void {
    if (this.index.has(name)) { this.values[this.index.get(name)].push(value); return; }
    this.index.set(name, this.names.length);
    this.names.push(name);
    this.values.push([value]);
  }

  writeLast(json: JsonWriter): void {
    if (this.names.length == 0) { json.nil(); return; }
    json.beginObject();
    for (let i = 0; i < this.names.length; i++) json.key(this.names[i]).string(this.values[i][this.values[i].length - 1]);
    json.endObject();
  }

  writeAll(json: JsonWriter): void {
    if (this.names.length == 0) { json.nil(); return; }
    json.beginObject();
    for (let i = 0; i < this.names.length; i++) {
      json.key(this.names[i]).beginArray();
      for (let k = 0; k < this.values[i].length; k++) json.string(this.values[i][k]);
      json.endArray();
    }
    json.endObject();
  }
}

/** Serializes the request as a payload v1.0 event. */
export function eventV1(facts: RequestFacts): string {
  const headers = new MultiMap();
  for (let i = 0; i < facts.headers.length; i++) headers.add(facts.headers[i].name, facts.headers[i].value);
  const query = new MultiMap();
  const params = parseQuery(facts.rawQuery);
  for (let i = 0; i < params.length; i++) query.add(params[i].name, params[i].value);

  const json = new JsonWriter();
  json.beginObject();
  json.key("resource").string("/{proxy+}");
  json.key("path").string(facts.rawPath);
  json.key("httpMethod").string(facts.method);
  json.key("headers"); headers.writeLast(json);
  json.key("multiValueHeaders"); headers.writeAll(json);
  json.key("queryStringParameters"); query.writeLast(json);
  json.key("multiValueQueryStringParameters"); query.writeAll(json);
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
  return json.toString();
}
