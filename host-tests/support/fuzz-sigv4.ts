// Checks a callout's SigV4 signature the way AWS would (independently of the filter's signer, with
// @smithy/signature-v4): the headers it names in SignedHeaders, its wire path and query, its body.
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import type { Callout } from "../../emulator/index.ts";
import { parseQuery } from "./aws-endpoint.ts";

function values(callout: Callout, name: string): string[] {
  return callout.headers.filter(([k]) => k === name).map(([, v]) => v);
}

/** "" when the callout is signed by `accessKey`/`secretKey` for region/service, else what is wrong. */
export async function signatureProblem(callout: Callout, accessKey: string, secretKey: string, region: string,
  service: string): Promise<string> {
  const authorization = values(callout, "authorization")[0] ?? "";
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;\-]+), Signature=([0-9a-f]{64})$/
    .exec(authorization);
  if (!m) return `malformed authorization ${JSON.stringify(authorization)}`;
  const [, key, , scopeRegion, scopeService, signedList, signature] = m;
  if (key !== accessKey || scopeRegion !== region || scopeService !== service) {
    return `signed as ${key}/${scopeRegion}/${scopeService}, expected ${accessKey}/${region}/${service}`;
  }
  const amzDate = values(callout, "x-amz-date")[0] ?? "";
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!d) return `malformed x-amz-date ${JSON.stringify(amzDate)}`;
  const headers: Record<string, string> = {};
  for (const name of signedList.split(";")) {
    const found = name === "host" ? values(callout, ":authority") : values(callout, name);
    if (found.length === 0) return `signed header ${name} is missing`;
    headers[name] = found.join(",");
  }
  const path = values(callout, ":path")[0] ?? "/";
  const question = path.indexOf("?");
  const signer = new SignatureV4({ credentials: { accessKeyId: accessKey, secretAccessKey: secretKey }, region, service,
    sha256: Hash.bind(null, "sha256"), applyChecksum: false, uriEscapePath: true });
  const expected: any = await signer.sign({
    method: values(callout, ":method")[0], protocol: "https:", hostname: headers.host,
    path: question < 0 ? path : path.slice(0, question), query: parseQuery(question < 0 ? "" : path.slice(question + 1)),
    headers, body: callout.body,
  } as any, { signingDate: new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6])) });
  const theirs = /Signature=([0-9a-f]{64})/.exec(expected.headers.authorization)?.[1];
  return theirs === signature ? "" : "the signature does not verify with the root's secret key";
}
