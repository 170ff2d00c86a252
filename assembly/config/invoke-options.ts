// Settings that apply when function_uri is a Lambda ARN (the Invoke API): the event format the function
// expects, how its reply is read, invocation type, function errors, retries, function selection by path
// and weighted qualifiers. Their names follow the gateways users come from (Kong, KrakenD, Envoy).
import { JsonKind } from "../util/json-reader";
import { ALLOWED_FUNCTIONS, EVENT_FORMAT, FUNCTION_ERROR_STATUS, INVOCATION_TYPE, MAX_RETRIES, QUALIFIERS,
  QUALIFIERS_ITEM_NAME, QUALIFIERS_ITEM_WEIGHT, UNWRAP_RESPONSE } from "./fields";
import { LambdaArn, isFunctionName, isQualifier } from "./lambda-arn";
import { Fields } from "./reader";

export enum EventFormat { ApiGatewayV2, ApiGatewayV1, Passthrough }

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
  const items = fields.array(QUALIFIERS);
  if (items == null) return;
  if (options.arn.qualifier.length > 0) {
    fields.fail("qualifiers", "function_uri already names qualifier \"" + options.arn.qualifier + "\"; use one or the other");
    return;
  }
  const summary = new Array<string>();
  for (let i = 0; i < items.length; i++) {
    const item = fields.item(QUALIFIERS, i, items[i]);
    if (item == null) return;
    const name = item.string(QUALIFIERS_ITEM_NAME);
    const weight = <i32>item.integer(QUALIFIERS_ITEM_WEIGHT);
    item.finish();
    if (name.length > 0 && !isQualifier(name)) { item.fail("name", "is not a version or alias name"); return; }
    options.qualifiers.push(new WeightedQualifier(name, weight));
    options.totalWeight += weight;
    summary.push(name + ":" + weight.toString());
  }
  if (options.totalWeight == 0) fields.fail("qualifiers", "weights must not all be 0");
  fields.noteArray(QUALIFIERS, summary.join(","));
}

function parseAllowedFunctions(fields: Fields, options: InvokeOptions): void {
  const items = fields.array(ALLOWED_FUNCTIONS);
  if (items == null) return;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.kind != JsonKind.String || !isFunctionName(item.text)) {
      fields.fail("allowed_functions", "item " + i.toString() + " is not a function name (1-64 letters, digits, '-', '_')");
      return;
    }
    options.allowedFunctions.push(item.text);
  }
  fields.noteArray(ALLOWED_FUNCTIONS, options.allowedFunctions.join(","));
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
  const format = fields.choice(EVENT_FORMAT);
  options.eventFormat = format == "api_gateway_v1" ? EventFormat.ApiGatewayV1
    : format == "passthrough" ? EventFormat.Passthrough : EventFormat.ApiGatewayV2;
  // Passthrough payloads are the function's own reply format: not unwrapped unless asked.
  options.unwrapResponse = fields.boolean(UNWRAP_RESPONSE, options.eventFormat != EventFormat.Passthrough);
  options.asynchronous = fields.choice(INVOCATION_TYPE) == "Event";
  options.functionErrorStatus = <i32>fields.integer(FUNCTION_ERROR_STATUS);
  options.maxRetries = <i32>fields.integer(MAX_RETRIES);
  parseAllowedFunctions(fields, options);
  parseQualifiers(fields, options);
  return options;
}
