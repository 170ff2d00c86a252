// A Lambda function ARN as `function_uri`: the callout then goes to the regional Invoke API
// (POST /2015-03-31/functions/<function>/invocations) instead of an HTTP endpoint.
//   full:    arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
//   partial: <account>:function:<name>[:<qualifier>]   (region from aws_region, else us-east-1)

export class LambdaArn {
  partition: string = "aws";
  /** "" for a partial ARN: the region then comes from config. */
  region: string = "";
  account: string = "";
  name: string = "";
  /** Version, alias or $LATEST; "" = unqualified. */
  qualifier: string = "";

  /** The ARN without qualifier for `name` (another function of the same account, for path selection). */
  unqualified(name: string, region: string): string {
    return "arn:" + this.partition + ":lambda:" + region + ":" + this.account + ":function:" + name;
  }

  /** DNS suffix of the partition's endpoints. */
  get domain(): string {
    return this.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  }
}

export class LambdaArnResult {
  constructor(public arn: LambdaArn | null, public error: string) {}
}

function allChars(text: string, extra: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
    if (!alnum && extra.indexOf(String.fromCharCode(c)) < 0) return false;
  }
  return true;
}

function isDigits(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Lambda function names: 1–64 letters, digits, '-' or '_'. */
export function isFunctionName(text: string): bool {
  return text.length >= 1 && text.length <= 64 && allChars(text, "-_");
}

/** Qualifiers: $LATEST, a version number, or an alias (1–128 letters, digits, '-' or '_'). */
export function isQualifier(text: string): bool {
  if (text == "$LATEST") return true;
  return text.length >= 1 && text.length <= 128 && allChars(text, "-_");
}

/** True when `text` looks like an ARN rather than a URL (so the right parser reports the error). */
export function looksLikeArn(text: string): bool {
  return text.startsWith("arn:") || (text.length > 13 && text.charCodeAt(12) == 0x3a && text.substring(13).startsWith("function:"));
}

/** Parses a full or partial Lambda function ARN. */
export function parseLambdaArn(text: string): LambdaArnResult {
  const parts = text.split(":");
  const arn = new LambdaArn();
  let rest: Array<string>;
  if (parts[0] == "arn") {
    if (parts.length < 7 || parts.length > 8 || parts[2] != "lambda" || parts[5] != "function") {
      return new LambdaArnResult(null, "is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>])");
    }
    arn.partition = parts[1];
    if (arn.partition != "aws" && arn.partition != "aws-cn" && arn.partition != "aws-us-gov") {
      return new LambdaArnResult(null, "has an unknown partition \"" + arn.partition + "\"");
    }
    arn.region = parts[3];
    if (arn.region.length == 0 || !allChars(arn.region, "-")) return new LambdaArnResult(null, "has an invalid region");
    rest = parts.slice(4);
  } else {
    if (parts.length < 3 || parts.length > 4 || parts[1] != "function") {
      return new LambdaArnResult(null, "is not a partial Lambda ARN (<account>:function:<name>[:<qualifier>])");
    }
    rest = parts;
  }
  arn.account = rest[0];
  if (arn.account.length != 12 || !isDigits(arn.account)) return new LambdaArnResult(null, "has an invalid account id (12 digits)");
  arn.name = rest[2];
  if (!isFunctionName(arn.name)) return new LambdaArnResult(null, "has an invalid function name");
  if (rest.length == 4) {
    arn.qualifier = rest[3];
    if (!isQualifier(arn.qualifier)) return new LambdaArnResult(null, "has an invalid qualifier");
  }
  return new LambdaArnResult(arn, "");
}
