// A string of known length written in place, unit by unit: one allocation where concatenation would make
// one per part (the Authorization header and X-Amz-Date are built on every signed request).

/** Writes exactly `units` UTF-16 code units into one new string. */
export class FixedString {
  private readonly out: string;
  private at: usize;

  constructor(units: i32) {
    this.out = changetype<string>(__new(<usize>units << 1, idof<string>()));
    this.at = changetype<usize>(this.out);
  }

  /** Appends all of `text`. */
  text(text: string): FixedString {
    const bytes = <usize>text.length << 1;
    memory.copy(this.at, changetype<usize>(text), bytes);
    this.at += bytes;
    return this;
  }

  /** Appends one code unit. */
  unit(c: u32): FixedString {
    store<u16>(this.at, <u16>c);
    this.at += 2;
    return this;
  }

  /** Appends `value` (0..99) as two decimal digits. */
  digits2(value: i32): FixedString {
    store<u32>(this.at, <u32>(48 + value / 10) | (<u32>(48 + value % 10) << 16));
    this.at += 4;
    return this;
  }

  /** The finished string (every unit must have been written). */
  done(): string {
    return this.out;
  }
}
