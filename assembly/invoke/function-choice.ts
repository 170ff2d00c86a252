// Which function and qualifier a request invokes, and the Invoke API path for it:
// POST /2015-03-31/functions/<function ARN, percent-encoded>/invocations[?Qualifier=<qualifier>], or for
// InvokeWithResponseStream /2021-11-15/functions/<function ARN>/response-streaming-invocations.
import { InvokeOptions } from "../config/invoke-options";
import { uriEncode } from "../kernel/percent";

export class FunctionChoice {
  /** Function name (from the ARN, or the path segment that selected it). */
  functionName: string = "";
  qualifier: string = "";
  /** True when the qualifier came from the weighted choice (then shown in a response header). */
  weighted: bool = false;
  /** Invoke API path of the call. */
  path: string = "";
  /** `Qualifier=<qualifier>` when qualified, else "". */
  query: string = "";
  /** Path the function sees in its event (after the function's own segment when selected by path). */
  eventPath: string = "/";
  /** Non-empty when the request names no allowed function (answered 404). */
  refusal: string = "";
}

/** Picks a qualifier by weight: `draw` is uniform in [0, 2^32). */
export function pickQualifier(options: InvokeOptions, draw: u32): string {
  const point = <i32>(<u64>draw * <u64>options.totalWeight >> 32);
  let acc = 0;
  for (let i = 0; i < options.qualifiers.length; i++) {
    acc += options.qualifiers[i].weight;
    if (point < acc) return options.qualifiers[i].name;
  }
  return options.qualifiers[options.qualifiers.length - 1].name;
}

/**
 * Chooses the function and qualifier for a request whose path after path_prefix is `path` (no query);
 * `streaming` asks for InvokeWithResponseStream.
 */
export function chooseFunction(options: InvokeOptions, path: string, draw: u32, streaming: bool = false): FunctionChoice {
  const target = new FunctionChoice();
  target.functionName = options.arn.name;
  target.eventPath = path.length > 0 ? path : "/";
  if (options.allowedFunctions.length > 0) {
    // The first segment names the function (KrakenD's function_param_name, the Caddy proposal's /lambda/<fn>).
    const rest = path.startsWith("/") ? path.substring(1) : path;
    const slash = rest.indexOf("/");
    const name = slash < 0 ? rest : rest.substring(0, slash);
    if (name.length == 0) { target.refusal = "the path names no function"; return target; }
    if (!options.allowedFunctions.includes(name)) { target.refusal = "no function \"" + name + "\" is exposed here"; return target; }
    target.functionName = name;
    target.eventPath = slash < 0 ? "/" : rest.substring(slash);
  }
  target.qualifier = options.arn.qualifier;
  if (options.qualifiers.length > 0) {
    target.qualifier = pickQualifier(options, draw);
    target.weighted = true;
  }
  const region = options.region;
  const functionArn = options.arn.unqualified(target.functionName, region);
  target.path = streaming ? "/2021-11-15/functions/" + uriEncode(functionArn) + "/response-streaming-invocations"
    : "/2015-03-31/functions/" + uriEncode(functionArn) + "/invocations";
  if (target.qualifier.length > 0) target.query = "Qualifier=" + uriEncode(target.qualifier);
  return target;
}
