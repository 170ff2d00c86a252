// The secret scanner the fuzzers rely on: it derives the SigV4 signing key as AWS documents it and finds
// every form a leak would take, so "no leak found" means something.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SecretSet, signingKey } from "./support/fuzz-checks.ts";
import { FuzzHost, HOST_OPTIONS } from "./support/fuzz-host.ts";

test("the signing key derivation matches AWS's documented example", () => {
  // "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
  const key = signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "iam", "20120215");
  assert.equal(key.toString("hex"), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
});

test("the scanner finds a secret as text, hex in either case, base64 and base64url", () => {
  const secrets = new SecretSet();
  secrets.addText("secret", "s3cr3t/+KEY?value");
  const bytes = Buffer.from("s3cr3t/+KEY?value");
  for (const form of ["s3cr3t/+KEY?value", bytes.toString("hex"), bytes.toString("hex").toUpperCase(),
    bytes.toString("base64"), bytes.toString("base64url")]) {
    assert.ok(secrets.find(`prefix ${form} suffix`).length > 0, form);
  }
  assert.deepEqual(secrets.find("s3cr3t/+KEY?valu"), []);
});

test("the scanner learns the signing key from a callout's credential scope", async () => {
  const { host } = await FuzzHost.start("envoy", HOST_OPTIONS);
  const { rootId } = host.configure({ function_uri: "https://a.example.com/fn",
    authorization: { iam: { accesskey: "AKID", secretkey: "SECRETKEY123", aws_region: "eu-north-1", service: "lambda" } } });
  const reply = await host.request(rootId, { path: "/" });
  const secrets = new SecretSet();
  secrets.addSigningKeyOf(reply.callout!, "SECRETKEY123");
  const key = signingKey("SECRETKEY123", "eu-north-1", "lambda");
  assert.deepEqual(secrets.find(key.toString("base64")), ["signing key eu-north-1/lambda (base64)"]);
});
