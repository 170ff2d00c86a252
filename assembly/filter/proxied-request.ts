// Proxy mode, response side: the route carried the signed request, and its response passes to the client
// as the host sends it on. A URL target's passes untouched — counted, and read further only for a refusal
// of the signature or a failure of the host's own; an Invoke API target's is read back by its ProxyResponse.
import { getHeader, getHeaders } from "../abi/host";
import { FilterStatus, MapType } from "../abi/types";
import { Header } from "../http/header";
import { statusOf } from "../http/status";
import { countReply } from "./metrics";
import { hostFailure, ProxyResponse } from "./proxy-response";
import { RequestSigning } from "./request-signing";

export class ProxiedRequest {
  constructor(private readonly logName: string, private readonly response: ProxyResponse | null,
    private readonly signing: RequestSigning) {}

  /** proxy_on_response_headers. */
  headers(endOfStream: bool): FilterStatus {
    const response = this.response;
    if (response == null) {
      // Most answers need only their status.
      const text = getHeader(MapType.HttpResponseHeaders, ":status");
      const status = text != null ? statusOf([new Header(":status", text)]) : 0;
      if (status != 403 && status < 502) {
        countReply(status);
        return FilterStatus.Continue;
      }
    }
    const headers = getHeaders(MapType.HttpResponseHeaders);
    const status = statusOf(headers);
    if (status == 403) this.signing.proxiedRefusal(this.logName, headers);
    if (response != null) return response.headers(this.logName, headers, endOfStream);
    if (!hostFailure(this.logName, status, headers)) countReply(status);
    return FilterStatus.Continue;
  }

  /** proxy_on_response_body. */
  body(bodySize: usize, endOfStream: bool): FilterStatus {
    const response = this.response;
    if (response == null) return FilterStatus.Continue;
    return response.body(this.logName, bodySize, endOfStream);
  }
}
