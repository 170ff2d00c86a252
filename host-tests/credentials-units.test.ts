// The credential pieces as pure functions (assembly/unit/credentials.ts): credential documents from
// instance metadata and the container endpoint, STS AssumeRole answers in JSON and XML, STS error codes,
// the two time formats, the refresh rule, and which 403s mean expired credentials or a bad signature.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { loadUnit } from "./support/unit-wasm.ts";
import { exponentSeconds } from "./support/sts.ts";

let unit: any;
before(async () => { unit = await loadUnit("credentials"); });
const buf = (s: string | Buffer) => { const b = Buffer.from(s); return b.buffer.slice(b.byteOffset, b.byteOffset + b.length); };
const NOW = Date.UTC(2026, 11, 1, 20, 0, 0);
const LATER = "2026-12-01T22:00:00Z";
const LATER_MS = Date.UTC(2026, 11, 1, 22, 0, 0);
const doc = (fields: object) => JSON.parse(unit.credentialsDocument(buf(JSON.stringify(fields)), BigInt(NOW)));
const GOOD = { Code: "Success", LastUpdated: "2026-12-01T16:00:00Z", Type: "AWS-HMAC", AccessKeyId: "ASIAEXAMPLE",
  SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Token: "IQoJb3JpZ2luX2VjEXAMPLE==", Expiration: LATER };

describe("instance metadata and container credential documents", () => {
  test("the EC2 User Guide's document shape, and the container endpoint's (no Code, RoleArn)", () => {
    assert.deepEqual(doc(GOOD), { accessKeyId: "ASIAEXAMPLE", secretAccessKey: GOOD.SecretAccessKey, sessionToken: GOOD.Token,
      expiration: LATER_MS });
    const { Code, LastUpdated, Type, ...container } = GOOD;
    assert.equal(doc({ RoleArn: "arn:aws:iam::123456789012:role/task", ...container }).expiration, LATER_MS);
    assert.equal(doc({ ...GOOD, Expiration: "2026-12-01T22:00:00.123Z" }).expiration, LATER_MS + 123 - 123, "fraction ignored");
    assert.equal(doc({ ...GOOD, Expiration: "2026-12-01T22:00:00+00:00" }).expiration, LATER_MS);
  });

  test("each missing, malformed or implausible value is named, never echoed", () => {
    const cases: Array<[object, RegExp]> = [
      [{ ...GOOD, Code: "Failure" }, /Code is not "Success"/],
      [{ ...GOOD, Code: 1 }, /Code is not "Success"/],
      [{ ...GOOD, AccessKeyId: undefined }, /AccessKeyId is missing or malformed/],
      [{ ...GOOD, AccessKeyId: 12 }, /AccessKeyId is missing or malformed/],
      [{ ...GOOD, AccessKeyId: "ASIA/EXAMPLE" }, /AccessKeyId is missing or malformed/],
      [{ ...GOOD, AccessKeyId: "A".repeat(129) }, /AccessKeyId is missing or malformed/],
      [{ ...GOOD, SecretAccessKey: "has space" }, /SecretAccessKey is missing or malformed/],
      [{ ...GOOD, SecretAccessKey: "ctl\u0001" }, /SecretAccessKey is missing or malformed/],
      [{ ...GOOD, Token: "é-not-ascii" }, /Token is missing or malformed/],
      [{ ...GOOD, Token: "x".repeat(8193) }, /Token is missing or malformed/],
      [{ ...GOOD, Expiration: "tomorrow" }, /Expiration is missing or malformed/],
      [{ ...GOOD, Expiration: "2026-12-01T22:00:00+01:00" }, /Expiration is missing or malformed/],
      [{ ...GOOD, Expiration: "2026-12-01TXX:00:00Z" }, /Expiration is missing or malformed/],
      [{ ...GOOD, Expiration: "2026-12-01T19:59:59Z" }, /already expired/],
      [{ ...GOOD, Expiration: null }, /Expiration is missing or malformed/],
    ];
    for (const [fields, error] of cases) {
      const result = doc(fields);
      assert.match(result.error ?? "", error, JSON.stringify(fields));
      assert.ok(!result.error.includes(GOOD.SecretAccessKey) && !result.error.includes(GOOD.Token));
    }
    for (const body of ["", "[]", "{", "null", "\"x\"", "{\"a\":" + "[".repeat(20) + "]".repeat(20) + "}"]) {
      assert.match(JSON.parse(unit.credentialsDocument(buf(body), BigInt(NOW))).error, /not a JSON object/, body);
    }
    assert.match(JSON.parse(unit.credentialsDocument(buf(Buffer.from([0x7b, 0xff, 0x7d])), BigInt(NOW))).error, /not a UTF-8 document/);
    assert.match(JSON.parse(unit.credentialsDocument(buf(" ".repeat(65537)), BigInt(NOW))).error, /at most 64 KiB/);
  });
});

describe("STS AssumeRole answers", () => {
  const credentials = { AccessKeyId: "ASIASTS", SecretAccessKey: "stsSecret/abc+def", SessionToken: "FwoGZXIvYXdzEXAMPLE" };
  const jsonAnswer = (expiration: string) => `{"AssumeRoleResponse":{"AssumeRoleResult":{"AssumedRoleUser":{"Arn":"a","AssumedRoleId":"b"},`
    + `"Credentials":{"AccessKeyId":"ASIASTS","Expiration":${expiration},"SecretAccessKey":"stsSecret/abc+def","SessionToken":"FwoGZXIvYXdzEXAMPLE"},`
    + `"PackedPolicySize":null,"SourceIdentity":null},"ResponseMetadata":{"RequestId":"c6104cbe"}}}`;
  const read = (text: string) => JSON.parse(unit.assumeRoleAnswer(buf(text), BigInt(NOW)));

  test("JSON (Accept: application/json): Expiration as epoch seconds in exponent notation, or an ISO string", () => {
    const seconds = LATER_MS / 1000;
    assert.equal(exponentSeconds(seconds), "1.7961624E9");
    assert.deepEqual(read(jsonAnswer(exponentSeconds(seconds))), { accessKeyId: "ASIASTS", secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken, expiration: LATER_MS });
    assert.equal(read(jsonAnswer(String(seconds))).expiration, LATER_MS);
    assert.equal(read(jsonAnswer(`${seconds}.75`)).expiration, LATER_MS, "fractions of a second dropped");
    assert.equal(read(jsonAnswer(`"${LATER}"`)).expiration, LATER_MS);
    assert.match(read(jsonAnswer("1.0E9")).error, /already expired/);
    for (const bad of ["-1", "1e300", "true", "\"soon\"", "{}"]) assert.match(read(jsonAnswer(bad)).error, /Expiration is missing or malformed/, bad);
    assert.match(read("{\"AssumeRoleResponse\":{}}").error, /no AssumeRoleResult\.Credentials/);
  });

  test("the documented XML, Expiration with milliseconds, entities decoded", () => {
    const xml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <AssumeRoleResult>\n    <Credentials>\n`
      + `      <AccessKeyId>ASIASTS</AccessKeyId>\n      <SecretAccessKey>a&amp;b</SecretAccessKey>\n`
      + `      <SessionToken>FwoGZXIvYXdzEXAMPLE</SessionToken>\n      <Expiration>2026-12-01T22:00:00.611Z</Expiration>\n`
      + `    </Credentials>\n  </AssumeRoleResult>\n</AssumeRoleResponse>\n`;
    assert.deepEqual(read(xml), { accessKeyId: "ASIASTS", secretAccessKey: "a&b", sessionToken: "FwoGZXIvYXdzEXAMPLE", expiration: LATER_MS });
    assert.match(read("<AssumeRoleResponse></AssumeRoleResponse>").error, /XML answer has no Credentials/);
    assert.match(read(xml.slice(0, xml.indexOf("</AssumeRoleResult>"))).error, /not a whole AssumeRoleResponse/);
    assert.match(read(xml.replace("<SessionToken>FwoGZXIvYXdzEXAMPLE</SessionToken>", "")).error, /SessionToken is missing/);
  });

  test("error codes from JSON and XML errors; anything else is no code", () => {
    assert.equal(unit.errorCode(buf("{\"Error\":{\"Code\":\"AccessDenied\",\"Message\":\"m\",\"Type\":\"Sender\"},\"RequestId\":\"r\"}")), "AccessDenied");
    assert.equal(unit.errorCode(buf("<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code></Error></ErrorResponse>")), "ExpiredToken");
    for (const body of ["", "{}", "{\"Error\":{\"Code\":\"has space\"}}", "{\"Error\":{\"Code\":7}}", `{"Error":{"Code":"${"A".repeat(65)}"}}`]) {
      assert.equal(unit.errorCode(buf(body)), "", body);
    }
  });
});

describe("time formats", () => {
  test("RFC 3339 UTC and HTTP dates, and what is neither", () => {
    assert.equal(Number(unit.isoUtc(LATER)), LATER_MS);
    assert.equal(Number(unit.isoUtc("2026-12-01t22:00:00z")), LATER_MS);
    assert.equal(Number(unit.isoUtc("2024-02-29T00:00:00Z")), Date.UTC(2024, 1, 29));
    for (const bad of ["", "2026-12-01", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T-1:00:00Z", "2026-12-01T22:0x:00Z",
      "2026-12-01T22:00:-5Z", "1969-12-31T23:59:59Z", "2026-12-01T22:00:00", "2026-12-01T22:00:00.Zjunk"]) {
      assert.equal(Number(unit.isoUtc(bad)), -1, bad);
    }
    assert.equal(Number(unit.httpDate("Tue, 01 Dec 2026 22:00:00 GMT")), LATER_MS);
    for (const bad of ["Tue, 01 Dec 2026 22:00:00 UTC", "Tue, 01 Xyz 2026 22:00:00 GMT", "01 Dec 2026 22:00:00 GMT", "Tue, 01 Dec 2026 2x:00:00 GMT"]) {
      assert.equal(Number(unit.httpDate(bad)), -1, bad);
    }
  });
});

describe("the refresh rule", () => {
  test("5 minutes before Expiration (less up to 30 s of jitter), half the lifetime for short-lived credentials", () => {
    for (let i = 0; i < 200; i++) {
      const hour = Number(unit.refreshAt(BigInt(NOW), BigInt(NOW + 3600_000)));
      assert.ok(hour <= NOW + 3300_000 && hour >= NOW + 3270_000, String(hour - NOW));
      const short = Number(unit.refreshAt(BigInt(NOW), BigInt(NOW + 120_000)));
      assert.ok(short <= NOW + 60_000 && short >= NOW + 48_000, String(short - NOW));
    }
    assert.equal(Number(unit.refreshAt(BigInt(NOW), BigInt(NOW))), NOW);
  });
});

describe("403s", () => {
  test("expired credentials and refused signatures, from x-amzn-errortype or the message", () => {
    const cases: Array<[string, string, string]> = [
      ["x-amzn-errortype: ExpiredTokenException", "{\"message\":\"The security token included in the request is expired\"}", "expired"],
      ["x-amzn-errortype: ExpiredTokenException:http://internal.amazon.com/coral/", "", "expired"],
      ["", "{\"message\":\"The security token included in the request is expired\"}", "expired"],
      ["x-amzn-errortype: InvalidSignatureException", "{\"message\":\"The request signature we calculated does not match\"}", "signature"],
      ["", "{\"message\":\"Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z\"}", "signature"],
      ["x-amzn-errortype: AccessDeniedException", "{\"Message\":\"Forbidden\"}", "none"],
      ["", "{\"message\":\"Forbidden\"}", "none"],
    ];
    for (const [headers, body, kind] of cases) assert.equal(unit.refusal(headers, buf(body)), kind, `${headers} ${body}`);
  });
});
