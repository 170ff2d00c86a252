// requestContext.time as API Gateway writes it: "12/Mar/2020:19:03:58 +0000".
import { amzDate } from "../sigv4/amz-date";

const MONTHS: Array<string> = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The CLF-style UTC timestamp of `epochMillis`. */
export function apiGatewayTime(epochMillis: i64): string {
  const stamp = amzDate(epochMillis); // YYYYMMDDTHHMMSSZ
  const month = I32.parseInt(stamp.substring(4, 6));
  const name = month >= 1 && month <= 12 ? MONTHS[month - 1] : "Jan";
  return stamp.substring(6, 8) + "/" + name + "/" + stamp.substring(0, 4) + ":" + stamp.substring(9, 11) + ":"
    + stamp.substring(11, 13) + ":" + stamp.substring(13, 15) + " +0000";
}
