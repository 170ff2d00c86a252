// Query strings as API Gateway reads them: split on '&' and the first '=', each part percent-decoded
// leniently (a stray '%' or '+' stays as written).
import { percentDecode } from "../kernel/percent";

/** One name=value pair of a query string, decoded. */
export class QueryParam {
  constructor(public name: string, public value: string) {}
}

/** The pairs of a raw query string in order; `k` alone reads as value "". */
export function parseQuery(rawQuery: string): Array<QueryParam> {
  const params = new Array<QueryParam>();
  if (rawQuery.length == 0) return params;
  const parts = rawQuery.split("&");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.length == 0) continue;
    const eq = part.indexOf("=");
    params.push(eq < 0 ? new QueryParam(percentDecode(part), "")
      : new QueryParam(percentDecode(part.substring(0, eq)), percentDecode(part.substring(eq + 1))));
  }
  return params;
}
