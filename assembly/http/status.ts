// The status line of a response as the filter reads it from a header map.
import { Header } from "./header";

/** The numeric `:status` of a response, 0 when missing or not a 3-digit code in 100–599. */
export function statusOf(headers: Array<Header>): u32 {
  for (let i = 0; i < headers.length; i++) {
    const header = unchecked(headers[i]);
    if (header.name != ":status") continue;
    const text = header.value.trim();
    if (text.length != 3) return 0;
    let value: u32 = 0;
    for (let k = 0; k < 3; k++) {
      const c = text.charCodeAt(k);
      if (c < 0x30 || c > 0x39) return 0;
      value = value * 10 + <u32>(c - 0x30);
    }
    return value >= 100 && value <= 599 ? value : 0;
  }
  return 0;
}
