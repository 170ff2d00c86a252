// SigV4 signing of the callout (interim: wired to the signer in a following change).
import { Config } from "../config/config";
import { Header } from "../http/header";

/** Adds x-amz-date, x-amz-security-token and authorization to `headers` when IAM is configured. */
export function signCallout(config: Config, headers: Array<Header>, body: ArrayBuffer): void {
  if (config.iam == null) return;
}
