// The two values a signature is made with besides the request: who signs (credentials) and where the
// signature is valid (region and service). The signer does not care where either came from.

/** An AWS access key pair, with the session token of temporary credentials ("" for long-term keys). */
export class Credentials {
  constructor(
    public readonly accessKeyId: string,
    public readonly secretAccessKey: string,
    public readonly sessionToken: string,
  ) {}
}

/** The region and service of the credential scope ("YYYYMMDD/<region>/<service>/aws4_request"). */
export class SigningScope {
  constructor(public readonly region: string, public readonly service: string) {}
}
