// authorization.iam's credential sources as configured: credentials static|environment|container|instance|
// chain with their defaults and the VM environment variables they read, container_endpoint/_upstream,
// imds_endpoint/_upstream/_version, assume_role; and configure-time refusals naming the field.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { loadUnit } from "./support/unit-wasm.ts";

let unit: { configSummary(text: string, env: string): string };
before(async () => { unit = await loadUnit("config"); });

const URI = "https://abc.execute-api.eu-west-1.amazonaws.com/prod";
const run = (iam: object, env: Record<string, string> = {}) => JSON.parse(unit.configSummary(JSON.stringify({ function_uri: URI,
  authorization: { iam } }), Object.entries(env).map(([k, v]) => `${k}=${v}`).join("\n")));
const source = (iam: object, env: Record<string, string> = {}) => {
  const result = run(iam, env);
  assert.equal(result.error, undefined, result.error);
  return result.iam;
};
const IAM_PATH = 'property "authorization" validation failed: property "iam" validation failed: ';
const refusal = (iam: object, env: Record<string, string> = {}) => {
  const result = run(iam, env);
  assert.ok(result.error, `expected a refusal of ${JSON.stringify(iam)}`);
  assert.ok(result.error.startsWith(IAM_PATH), result.error);
  return result.error.slice(IAM_PATH.length);
};
const ENV_KEYS = { AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "envSecret" };
const ROLE = "arn:aws:iam::123456789012:role/app/invoker";

describe("credentials and the chain", () => {
  test("without keys the chain picks environment keys, then a container endpoint, then instance metadata", () => {
    assert.equal(source({}, ENV_KEYS).source, "chain: environment");
    assert.equal(source({}, { ...ENV_KEYS, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x" }).source, "chain: environment");
    assert.equal(source({}, { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/x" }).source, "chain: container endpoint http://169.254.170.2");
    assert.equal(source({}, { AWS_ACCESS_KEY_ID: "only-the-id" }).source, "chain: instance metadata http://169.254.169.254 (IMDSv2)");
    assert.equal(source({ container_endpoint: "http://127.0.0.1:8080/creds" }).source, "chain: container endpoint http://127.0.0.1:8080");
    assert.equal(source({}).source, "chain: instance metadata http://169.254.169.254 (IMDSv2)");
    assert.match(refusal({}, { AWS_EC2_METADATA_DISABLED: "True" }), /no credentials: no AWS_\* keys or container endpoint in the VM environment, and AWS_EC2_METADATA_DISABLED is true/);
  });

  test("keys make static credentials; other sources take none", () => {
    assert.equal(source({ accesskey: "AK", secretkey: "SK" }).accessKey, "AK");
    assert.equal(source({ credentials: "static", accesskey: "AK", secretkey: "SK" }).accessKey, "AK");
    assert.equal(refusal({ credentials: "static" }), 'property "accesskey" is required');
    for (const kind of ["environment", "container", "instance", "chain"]) {
      assert.equal(refusal({ credentials: kind, accesskey: "AK", secretkey: "SK" }, ENV_KEYS),
        `property "credentials" validation failed: "${kind}" takes no accesskey, secretkey or session_token (those are "static" credentials)`);
    }
    assert.match(refusal({ credentials: "file" }), /property "credentials" validation failed: expected one of "static", "environment", "container", "instance", "chain"/);
  });

  test("environment credentials are read from the VM environment, and their absence named", () => {
    const env = source({ credentials: "environment" }, { ...ENV_KEYS, AWS_SESSION_TOKEN: "tok" });
    assert.deepEqual([env.accessKey, env.secretKey, env.sessionToken, env.fromEnvironment], ["AKIAENV", "envSecret", "tok", true]);
    assert.match(refusal({ credentials: "environment" }), /AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY missing from the VM environment/);
    assert.match(refusal({ credentials: "environment" }, { ...ENV_KEYS, AWS_SESSION_TOKEN: "a\rb" }), /AWS_\* credentials must not contain control characters/);
  });
});

describe("instance metadata", () => {
  test("http://169.254.169.254 by default, AWS_EC2_METADATA_SERVICE_ENDPOINT over it, imds_endpoint over both; upstream its host[:port]", () => {
    const plain = source({ credentials: "instance" });
    assert.deepEqual([plain.endpoint, plain.endpointUpstream, plain.imdsV1], ["http://169.254.169.254", "169.254.169.254", false]);
    const ipv6 = source({ credentials: "instance" }, { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://[fd00:ec2::254]" });
    assert.deepEqual([ipv6.endpoint, ipv6.endpointUpstream], ["http://[fd00:ec2::254]", "[fd00:ec2::254]"]);
    const configured = source({ credentials: "instance", imds_endpoint: "http://127.0.0.1:1338", imds_upstream: "imds" },
      { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://[fd00:ec2::254]" });
    assert.deepEqual([configured.endpoint, configured.endpointUpstream], ["http://127.0.0.1:1338", "imds"]);
    assert.equal(source({ credentials: "instance", imds_version: "v1" }).source, "instance metadata http://169.254.169.254 (IMDSv1)");
  });

  test("a malformed endpoint, version or upstream is refused naming the field", () => {
    assert.match(refusal({ credentials: "instance", imds_endpoint: "imds.local" }), /^property "imds_endpoint" validation failed: imds_endpoint must be an absolute http:\/\/ or https:\/\/ URL/);
    assert.match(refusal({ credentials: "instance", imds_endpoint: "http://h:99999" }), /^property "imds_endpoint" validation failed: imds_endpoint has an invalid port/);
    assert.match(refusal({ credentials: "instance", imds_endpoint: "http://h/?a=1" }), /^property "imds_endpoint" validation failed: imds_endpoint must not have a query/);
    assert.match(refusal({ credentials: "instance" }, { AWS_EC2_METADATA_SERVICE_ENDPOINT: "169.254.169.254" }),
      /^property "imds_endpoint" validation failed: AWS_EC2_METADATA_SERVICE_ENDPOINT must be an absolute/);
    assert.match(refusal({ credentials: "instance", imds_version: "v3" }), /^property "imds_version" validation failed: expected one of "v2", "v1"/);
    assert.match(refusal({ credentials: "instance", imds_upstream: "a b" }), /^property "imds_upstream" validation failed/);
    for (const field of [{ imds_endpoint: "http://127.0.0.1:1" }, { imds_upstream: "imds" }, { imds_version: "v1" }]) {
      const name = Object.keys(field)[0];
      assert.equal(refusal({ credentials: "container", container_endpoint: "http://127.0.0.1:8080/c", ...field }),
        `property "${name}" validation failed: only applies with credentials "instance" or "chain"`);
    }
  });
});

describe("the container endpoint", () => {
  test("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on 169.254.170.2 before AWS_CONTAINER_CREDENTIALS_FULL_URI; container_endpoint over both", () => {
    const relative = source({ credentials: "container" }, { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/x" });
    assert.deepEqual([relative.endpoint, relative.endpointUpstream], ["http://169.254.170.2/v2/credentials/abc", "169.254.170.2"]);
    const full = source({ credentials: "container" }, { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" });
    assert.deepEqual([full.endpoint, full.source], ["http://169.254.170.23/v1/credentials", "container endpoint http://169.254.170.23"]);
    const configured = source({ credentials: "container", container_endpoint: "https://creds.internal:8443/role", container_upstream: "creds" },
      { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/abc" });
    assert.deepEqual([configured.endpoint, configured.endpointUpstream], ["https://creds.internal:8443/role", "creds"]);
  });

  test("plain http only to loopback and AWS's link-local credential hosts; https to any host", () => {
    for (const ok of ["http://127.0.0.1:8080/c", "http://127.1.2.3/c", "http://localhost:9/c", "http://[::1]:9/c", "http://169.254.170.2/v2/x",
      "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials", "https://creds.example.com/x"]) {
      assert.equal(source({ credentials: "container", container_endpoint: ok }).endpoint, ok.replace(/^(https?:\/\/[^/]*)/, (m) => m.toLowerCase()), ok);
    }
    for (const bad of ["http://creds.example.com/x", "http://127.evil.example/x", "http://127.0.0.256/x", "http://10.0.0.1/x", "http://169.254.169.254/x"]) {
      assert.equal(refusal({ credentials: "container", container_endpoint: bad }),
        'property "container_endpoint" validation failed: container_endpoint may use plain http only to loopback, 169.254.170.2 or 169.254.170.23', bad);
    }
    assert.match(refusal({ credentials: "container" }, { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://evil.example/x" }),
      /AWS_CONTAINER_CREDENTIALS_FULL_URI may use plain http only to loopback/);
  });

  test("what the environment gets wrong is named", () => {
    assert.match(refusal({ credentials: "container" }), /^property "credentials" validation failed: "container" needs container_endpoint, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI/);
    assert.match(refusal({ credentials: "container" }, { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "v2/x" }), /AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with "\/"/);
    const token = refusal({ credentials: "container" }, { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
      AWS_CONTAINER_AUTHORIZATION_TOKEN: "secret-token\rx-injected: 1" });
    assert.match(token, /AWS_CONTAINER_AUTHORIZATION_TOKEN must not contain control characters/);
    assert.ok(!token.includes("secret-token"), "the token is never echoed");
    for (const field of [{ container_endpoint: "http://127.0.0.1:1/c" }, { container_upstream: "creds" }]) {
      const name = Object.keys(field)[0];
      assert.equal(refusal({ credentials: "instance", ...field }), `property "${name}" validation failed: only applies with credentials "container" or "chain"`);
    }
  });
});

describe("assume_role", () => {
  test("defaults: session aws-lambda-wasm, 3600 s, the function's regional STS endpoint and region", () => {
    const role = source({ credentials: "instance", assume_role: { role_arn: ROLE } }).assumeRole;
    assert.deepEqual(role, { roleArn: ROLE, sessionName: "aws-lambda-wasm", duration: 3600, sts: "https://sts.eu-west-1.amazonaws.com",
      stsUpstream: "sts.eu-west-1.amazonaws.com", region: "eu-west-1" });
    const china = source({ credentials: "instance", aws_region: "cn-north-1", assume_role: { role_arn: "arn:aws-cn:iam::123456789012:role/x" } }).assumeRole;
    assert.deepEqual([china.sts, china.region], ["https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"]);
    const global = source({ credentials: "instance", assume_role: { role_arn: ROLE, sts_endpoint: "https://sts.amazonaws.com" } }).assumeRole;
    assert.equal(global.region, "us-east-1", "the global endpoint signs for us-east-1");
    const other = source({ credentials: "instance", assume_role: { role_arn: ROLE, sts_endpoint: "https://sts.ap-south-1.amazonaws.com",
      sts_upstream: "sts_cluster", session_name: "gw@prod", duration_seconds: 43200, external_id: "ext:1/a" } }).assumeRole;
    assert.deepEqual([other.region, other.stsUpstream, other.sessionName, other.duration], ["ap-south-1", "sts_cluster", "gw@prod", 43200]);
    assert.equal(source({ accesskey: "AK", secretkey: "SK", assume_role: { role_arn: ROLE } }).source, "static keys, then AssumeRole " + ROLE);
  });

  test("a bad role ARN, duration, session name, external id or endpoint is refused naming the field", () => {
    const AR = 'property "assume_role" validation failed: ';
    const cases: Array<[object, string]> = [
      [{}, 'property "role_arn" is required'],
      [{ role_arn: "arn:aws:iam::123456789012:user/app" }, 'property "role_arn" validation failed: must be arn:<partition>:iam::<12-digit account>:role/<name>'],
      [{ role_arn: "arn:aws:iam::12345:role/app" }, 'property "role_arn" validation failed: must be'],
      [{ role_arn: "arn:aws:sts::123456789012:role/app" }, 'property "role_arn" validation failed: must be'],
      [{ role_arn: "arn:evil:iam::123456789012:role/app" }, 'property "role_arn" validation failed: must be'],
      [{ role_arn: "arn:aws:iam::123456789012:role/" }, 'property "role_arn" validation failed: must be'],
      [{ role_arn: ROLE, duration_seconds: 899 }, 'property "duration_seconds" validation failed: expected 899 to be at least 900'],
      [{ role_arn: ROLE, duration_seconds: 43201 }, 'property "duration_seconds" validation failed: expected 43201 to be at most 43200'],
      [{ role_arn: ROLE, duration_seconds: "3600" }, 'property "duration_seconds" validation failed'],
      [{ role_arn: ROLE, session_name: "x" }, 'property "session_name" validation failed: must be 2-64 letters, digits or _+=,.@-'],
      [{ role_arn: ROLE, session_name: "a b" }, 'property "session_name" validation failed'],
      [{ role_arn: ROLE, external_id: "bad id" }, 'property "external_id" validation failed: must be 2-1224 letters, digits or _+=,.@:/-'],
      [{ role_arn: ROLE, sts_endpoint: "ftp://sts" }, 'property "sts_endpoint" validation failed: sts_endpoint must be an absolute http:// or https:// URL'],
      [{ role_arn: ROLE, sts_endpoint: "https://user:pw@sts.amazonaws.com" }, 'property "sts_endpoint" validation failed'],
      [{ role_arn: ROLE, sts_endpoint: "https://sts.amazonaws.com/?Action=x" }, 'property "sts_endpoint" validation failed: sts_endpoint must not have a query'],
      [{ role_arn: ROLE, sts_upstream: "a b" }, 'property "sts_upstream" validation failed'],
      [{ role_arn: ROLE, policy: "{}" }, 'additional properties forbidden, found "policy"'],
    ];
    for (const [assume, message] of cases) {
      const error = refusal({ credentials: "instance", assume_role: assume });
      assert.ok(error.startsWith(AR + message), `${JSON.stringify(assume)}: ${error}`);
    }
  });
});
