// Stand-ins for where AWS hands out temporary credentials, so configs that fetch them (instance, container,
// chain without keys, assume_role) answer locally: one loopback server for EC2 instance metadata (IMDSv2
// token, role listing, role credentials; v1 too) and any container credentials path, and an STS endpoint
// that verifies the AssumeRole signature. The keys they hand out are fixed and accepted by the local
// function stand-ins.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AwsEndpoint, type Credentials } from "../host-tests/support/aws-endpoint.ts";

interface Keys { accessKey: string; secretKey: string; sessionToken: string }

/** What instance metadata and the container endpoint hand out. */
export const INSTANCE_KEYS: Keys = { accessKey: "ASIALOCALGATEWAYINST", secretKey: "local-gateway-instance-secret", sessionToken: "local-gateway-instance-token" };
/** What the STS stand-in's AssumeRole hands out. */
export const ROLE_KEYS: Keys = { accessKey: "ASIALOCALGATEWAYROLE", secretKey: "local-gateway-role-secret", sessionToken: "local-gateway-role-token" };
const ROLE_NAME = "local-gateway-role";
const IMDS_TOKEN = "local-gateway-imds-token";
const LIFETIME_MS = 6 * 3600_000;

/** The keys the stand-ins issue, as AwsEndpoint credentials. */
export function issuedCredentials(): Record<string, Credentials> {
  return Object.fromEntries([INSTANCE_KEYS, ROLE_KEYS].map((k) => [k.accessKey, { secretKey: k.secretKey, sessionToken: k.sessionToken }]));
}

function credentialsDocument(): string {
  return JSON.stringify({
    Code: "Success", Type: "AWS-HMAC", AccessKeyId: INSTANCE_KEYS.accessKey, SecretAccessKey: INSTANCE_KEYS.secretKey,
    Token: INSTANCE_KEYS.sessionToken, Expiration: new Date(Date.now() + LIFETIME_MS).toISOString().replace(/\.\d+Z$/, "Z"),
    LastUpdated: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  });
}

/** Instance metadata (IMDSv2 and v1) and, on any other path, a container credentials endpoint. */
export function startMetadata(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    req.resume();
    req.on("end", () => {
      if (path === "/latest/api/token") {
        if (req.method !== "PUT") return res.writeHead(405).end();
        return res.writeHead(200, { "content-type": "text/plain" }).end(IMDS_TOKEN);
      }
      if (path.startsWith("/latest/")) {
        const token = req.headers["x-aws-ec2-metadata-token"];
        if (token !== undefined && token !== IMDS_TOKEN) return res.writeHead(401).end();
        if (path === "/latest/meta-data/iam/security-credentials/") return res.writeHead(200).end(ROLE_NAME);
        if (path === `/latest/meta-data/iam/security-credentials/${ROLE_NAME}`) {
          return res.writeHead(200, { "content-type": "text/plain" }).end(credentialsDocument());
        }
        return res.writeHead(404).end();
      }
      // ECS task role / EKS Pod Identity: any path; a token, when the VM has one, is not checked here.
      res.writeHead(200, { "content-type": "application/json" }).end(credentialsDocument());
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** STS: AssumeRole signed (service sts) with any key the stand-ins accept, answered as JSON. */
export function startSts(accepted: Record<string, Credentials>): Promise<AwsEndpoint> {
  return AwsEndpoint.start({
    service: "sts",
    iam: accepted,
    handler: (req) => {
      const form = new URLSearchParams(req.body.toString("utf8"));
      if (form.get("Action") !== "AssumeRole") return { status: 400, body: JSON.stringify({ Error: { Code: "InvalidAction" } }) };
      const expiration = Math.floor((Date.now() + Number(form.get("DurationSeconds") ?? 3600) * 1000) / 1000);
      return {
        headers: { "x-amzn-requestid": `sts-${Date.now().toString(36)}` },
        body: JSON.stringify({ AssumeRoleResponse: { AssumeRoleResult: {
          Credentials: { AccessKeyId: ROLE_KEYS.accessKey, SecretAccessKey: ROLE_KEYS.secretKey, SessionToken: ROLE_KEYS.sessionToken, Expiration: expiration },
          AssumedRoleUser: { Arn: `${form.get("RoleArn")}/${form.get("RoleSessionName")}`, AssumedRoleId: "AROALOCALGATEWAY:local" },
        } } }),
      };
    },
  });
}

/** http://127.0.0.1:<port> of a listening server. */
export function baseUrl(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
