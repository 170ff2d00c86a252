// Header or query values grouped by name in first-seen order, for the event maps: v2 joins a name's
// values with ',', v1 keeps the last one and the list.

export class GroupedValues {
  private index: Map<string, i32> = new Map();
  names: Array<string> = [];
  values: Array<Array<string>> = [];

  add(name: string, value: string): void {
    // Grouped once here and joined at the end: joining as values come is quadratic in repeats.
    if (this.index.has(name)) { this.values[this.index.get(name)].push(value); return; }
    this.index.set(name, this.names.length);
    this.names.push(name);
    this.values.push([value]);
  }
}
