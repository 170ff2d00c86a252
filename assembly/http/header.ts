/** One HTTP header as the filter sees it: lower-case name (pseudo-headers keep their leading ':'), raw value. */
export class Header {
  constructor(public name: string, public value: string) {}
}

/** The first value of header `name` (lower case), "" when absent. */
export function headerValue(headers: Array<Header>, name: string): string {
  for (let i = 0; i < headers.length; i++) {
    if (unchecked(headers[i]).name == name) return unchecked(headers[i]).value;
  }
  return "";
}
