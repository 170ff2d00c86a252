// Checks on values that end up in headers, callout targets or log lines, so none can split either.
import { Fields } from "./reader";

/** No control characters; `what` names the source when the value did not come from the field itself. */
export function checkPrintable(fields: Fields, name: string, value: string, what: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c == 0x7f) {
      fields.fail(name, (what.length > 0 ? what + " " : "") + "must not contain control characters");
      return;
    }
  }
}

/** Regions and service names as AWS spells them: lower-case letters, digits and '-'. */
export function checkScopeName(fields: Fields, name: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d)) {
      fields.fail(name, "must be lower-case letters, digits and '-'");
      return;
    }
  }
}

/** A callout target (Envoy cluster or APISIX host[:port]): no spaces or control characters. */
export function checkUpstream(fields: Fields, name: string, value: string): bool {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c == 0x7f) {
      fields.fail(name, "must not contain spaces or control characters");
      return false;
    }
  }
  return true;
}
