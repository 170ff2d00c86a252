// The VM's credential providers, one per source: every root context that names the same source (APISIX
// runs one per route) shares its cache and its fetches. Answers to credential callouts are routed here.
import { getBuffer, getHeaders } from "../abi/host";
import { BufferType, MapType } from "../abi/types";
import { CredentialKind, CredentialSource } from "../config/credential-source";
import { statusOf } from "../http/status";
import { AssumeRoleProvider } from "../credentials/assume-role";
import { attemptFor, CredentialAnswer } from "../credentials/attempt";
import { ContainerProvider } from "../credentials/container";
import { MAX_DOCUMENT_BYTES } from "../credentials/documents";
import { InstanceProvider } from "../credentials/instance";
import { CredentialProvider, FixedProvider } from "../credentials/provider";
import { bodyAlwaysFollowsHeaders } from "./host-traits";

const providers = new Map<string, CredentialProvider>();

function baseProvider(source: CredentialSource): CredentialProvider {
  const key = source.baseKey();
  if (providers.has(key)) return providers.get(key);
  // APISIX can hold a request only while it has a callout of its own pending.
  const canWait = !bodyAlwaysFollowsHeaders();
  let provider: CredentialProvider;
  if (source.kind == CredentialKind.Container) provider = new ContainerProvider(source, canWait);
  else if (source.kind == CredentialKind.Instance) provider = new InstanceProvider(source, canWait);
  else provider = new FixedProvider(source.fixed, source.describeBase());
  providers.set(key, provider);
  return provider;
}

/** The provider for `source`, shared by every root context that names the same one. */
export function providerFor(source: CredentialSource): CredentialProvider {
  const role = source.assumeRole;
  if (role == null) return baseProvider(source);
  const key = source.key();
  if (providers.has(key)) return providers.get(key);
  const provider = new AssumeRoleProvider(role, baseProvider(source), !bodyAlwaysFollowsHeaders());
  providers.set(key, provider);
  return provider;
}

/**
 * Envoy answers a callout that got no response with a local reply of its router: 504 "upstream request
 * timeout", 503 "upstream connect error or disconnect/reset before headers…" or "no healthy upstream".
 * For a credential endpoint that is no answer at all, not the endpoint's 503/504; "" when it is not one.
 */
function hostReplyProblem(status: u32, body: ArrayBuffer, timeoutMs: i64): string {
  if (status != 503 && status != 504) return "";
  if (body.byteLength > 256) return "";
  const text = String.UTF8.decode(body);
  if (status == 504 && text == "upstream request timeout") return "no answer within " + timeoutMs.toString() + " ms";
  if (status == 503 && (text.startsWith("upstream connect error or disconnect/reset before headers") || text == "no healthy upstream")) {
    return "the endpoint could not be reached";
  }
  return "";
}

/** Hands a callout's answer to the credential fetch that asked for it; false when no fetch did. */
export function deliverCredentialAnswer(token: u32, headerCount: usize, bodySize: usize): bool {
  const attempt = attemptFor(token);
  if (attempt == null) return false;
  if (attempt.finished) return true;
  const answer = new CredentialAnswer();
  if (headerCount == 0) {
    // Both hosts report a failed callout as no headers: one that took its whole timeout got no answer.
    answer.problem = attempt.lastCalloutTimedOut || attempt.overdue ? "no answer within " + attempt.timeoutMs.toString() + " ms"
      : "the endpoint could not be reached";
  } else if (bodySize > <usize>MAX_DOCUMENT_BYTES) {
    answer.problem = "the answer is larger than 64 KiB";
  } else {
    answer.status = statusOf(getHeaders(MapType.HttpCallResponseHeaders));
    answer.body = bodySize > 0 ? getBuffer(BufferType.HttpCallResponseBody, 0, <u32>bodySize) : new ArrayBuffer(0);
    if (answer.status == 0) answer.problem = "the answer has no valid status";
    else if (<usize>answer.body.byteLength != bodySize) answer.problem = "the host handed over only part of the answer";
    else answer.problem = hostReplyProblem(answer.status, answer.body, attempt.timeoutMs);
  }
  attempt.answered(answer);
  return true;
}
