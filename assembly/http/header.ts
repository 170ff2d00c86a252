/** One HTTP header as the filter sees it: lower-case name (pseudo-headers keep their leading ':'), raw value. */
export class Header {
  constructor(public name: string, public value: string) {}
}
