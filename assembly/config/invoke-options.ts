// Settings that apply when function_uri is a Lambda ARN (the Invoke API): the event format the function
// expects, how its reply is read, invocation type, function errors, retries, function selection by path
// and weighted qualifiers. Their names follow the gateways users come from (Kong, KrakenD, Envoy).
import { Fields } from "./schema";
import { JsonKind } from "../util/json-reader";
import { LambdaArn, isFunctionName, isQualifier } from "./lambda-arn";

export enum EventFormat { ApiGatewayV2, ApiGatewayV1, Passthrough }

/** Bounds that keep the sum of weights well inside an i32. */
const MAX_QUALIFIERS = 64;
const MAX_WEIGHT: i64 = 1000000;

/** Fields that only make sense with an ARN; in URL mode they are refused rather than ignored. */
export const INVOKE_FIELDS: Array<string> = ["event_format", "unwrap_response", "invocation_type",
  "function_error_status", "max_retries", "allowed_functions", "qualifiers"];

export class WeightedQualifier {
  constructor(public name: string, public weight: i32) {}
}

export class InvokeOptions {
  arn: LambdaArn = new LambdaArn();
  /** Region of the Invoke API endpoint and of the signature. */
  region: string = "";
  eventFormat: EventFormat = EventFormat.ApiGatewayV2;
  /** Read the reply as an API Gateway proxy-integration response. */
  unwrapResponse: bool = true;
  /** "Event" answers 202 without waiting for the function. */
  asynchronous: bool = false;
  functionErrorStatus: i32 = 502;
  maxRetries: i32 = 0;
  /** When non-empty, the first path segment after path_prefix names the function, from this list only. */
  allowedFunctions: Array<string> = [];
  /** Weighted choice of qualifier per request; empty = the ARN's qualifier. */
  qualifiers: Array<WeightedQualifier> = [];
  totalWeight: i32 = 0;

  /** lambda.<region>.amazonaws.com (or .com.cn). */
  get host(): string {
    return "lambda." + this.region + "." + this.arn.domain;
  }

  get eventFormatName(): string {
    return this.eventFormat == EventFormat.ApiGatewayV1 ? "api_gateway_v1"
      : this.eventFormat == EventFormat.Passthrough ? "passthrough" : "api_gateway_v2";
  }
}

function parseQualifiers(fields: Fields, options: InvokeOptions): void {
  const items = fields.array("qualifiers", 1);
  if (items == null) return;
  if (items.length > MAX_QUALIFIERS) {
    fields.fail("qualifiers", "expect array to have at most " + MAX_QUALIFIERS.toString() + " items");
    return;
  }
  if (options.arn.qualifier.length > 0) {
    fields.fail("qualifiers", "function_uri already names qualifier \"" + options.arn.qualifier + "\"; use one or the other");
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const item = fields.item("qualifiers", i, items[i]);
    if (item == null) return;
    const name = item.string("name", "", true);
    const weight = <i32>item.integer("weight", 1, 0, MAX_WEIGHT);
    item.finish();
    if (name.length > 0 && !isQualifier(name)) { item.fail("name", "is not a version or alias name"); return; }
    options.qualifiers.push(new WeightedQualifier(name, weight));
    options.totalWeight += weight;
  }
  if (options.totalWeight == 0) fields.fail("qualifiers", "weights must not all be 0");
}

function parseAllowedFunctions(fields: Fields, options: InvokeOptions): void {
  const items = fields.array("allowed_functions", 1);
  if (items == null) return;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.kind != JsonKind.String || !isFunctionName(item.text)) {
      fields.fail("allowed_functions", "item " + i.toString() + " is not a function name (1-64 letters, digits, '-', '_')");
      return;
    }
    options.allowedFunctions.push(item.text);
  }
}

/** Reads the Invoke API settings for `arn`; `configuredRegion` ("" if none) must agree with a full ARN. */
export function parseInvokeOptions(fields: Fields, arn: LambdaArn, configuredRegion: string): InvokeOptions {
  const options = new InvokeOptions();
  options.arn = arn;
  if (arn.region.length > 0 && configuredRegion.length > 0 && configuredRegion != arn.region) {
    fields.fail("function_uri", "is in region \"" + arn.region + "\" but authorization.iam.aws_region is \"" + configuredRegion + "\"");
  }
  options.region = arn.region.length > 0 ? arn.region : configuredRegion.length > 0 ? configuredRegion : "us-east-1";
  // A partial ARN names no partition: China regions have their own endpoints and ARNs.
  if (arn.region.length == 0 && options.region.startsWith("cn-")) arn.partition = "aws-cn";
  else if (arn.region.length == 0 && options.region.startsWith("us-gov-")) arn.partition = "aws-us-gov";
  const format = fields.choice("event_format", ["api_gateway_v2", "api_gateway_v1", "passthrough"], "api_gateway_v2");
  options.eventFormat = format == "api_gateway_v1" ? EventFormat.ApiGatewayV1
    : format == "passthrough" ? EventFormat.Passthrough : EventFormat.ApiGatewayV2;
  options.unwrapResponse = fields.boolean("unwrap_response", options.eventFormat != EventFormat.Passthrough);
  options.asynchronous = fields.choice("invocation_type", ["RequestResponse", "Event"], "RequestResponse") == "Event";
  options.functionErrorStatus = <i32>fields.integer("function_error_status", 502, 400, 599);
  options.maxRetries = <i32>fields.integer("max_retries", 0, 0, 5);
  parseAllowedFunctions(fields, options);
  parseQualifiers(fields, options);
  return options;
}
