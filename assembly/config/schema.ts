// Typed readers over one JSON object of the plugin config, producing APISIX-style messages
// (`property "timeout" validation failed: expected 50 to be at least 100`). The first error wins.
import { excerpt, JsonKind, JsonValue, jsonTypeName } from "../util/json-reader";

/** Collects the first validation error of a config document. */
export class Problems {
  first: string = "";
  get found(): bool { return this.first.length > 0; }
  report(message: string): void {
    if (this.first.length == 0) this.first = message;
  }
}

/** The fields of one object at `path` (e.g. ["authorization", "iam"]); unknown keys are refused by finish(). */
export class Fields {
  private used: Array<string> = [];

  constructor(public node: JsonValue, public path: Array<string>, public problems: Problems) {}

  /** `property "a" validation failed: property "b" validation failed: ` for this object's path. */
  private prefix(): string {
    let text = "";
    for (let i = 0; i < this.path.length; i++) {
      const segment = this.path[i];
      // "#n" marks an array item, reported as jsonschema does ("item 0 validation failed").
      if (segment.startsWith("#")) text += "item " + segment.substring(1) + " validation failed: ";
      else text += "property \"" + segment + "\" validation failed: ";
    }
    return text;
  }

  /** Reports a rule broken by the member `name`. */
  fail(name: string, rule: string): void {
    this.problems.report(this.prefix() + "property \"" + name + "\" validation failed: " + rule);
  }

  /** Reports a rule broken by this object as a whole (e.g. a missing member). */
  failHere(rule: string): void {
    this.problems.report(this.prefix() + rule);
  }

  has(name: string): bool {
    return this.node.get(name) != null;
  }

  private member(name: string, kind: JsonKind, expected: string): JsonValue | null {
    this.used.push(name);
    const value = this.node.get(name);
    if (value == null) return null;
    if (value.kind != kind) {
      this.fail(name, "wrong type: expected " + expected + ", got " + jsonTypeName(value));
      return null;
    }
    return value;
  }

  /** A string member; `fallback` when absent. Empty strings are refused (minLength 1). */
  string(name: string, fallback: string, required: bool = false): string {
    const value = this.member(name, JsonKind.String, "string");
    if (value == null) {
      if (required && this.node.get(name) == null) this.failHere("property \"" + name + "\" is required");
      return fallback;
    }
    if (value.text.length == 0) {
      this.fail(name, "string too short, expected at least 1, got 0");
      return fallback;
    }
    return value.text;
  }

  /** An integer member within [minimum, maximum]; `fallback` when absent. */
  integer(name: string, fallback: i64, minimum: i64, maximum: i64): i64 {
    this.used.push(name);
    const value = this.node.get(name);
    if (value == null) return fallback;
    if (value.kind != JsonKind.Number || !value.isInteger()) {
      this.fail(name, "wrong type: expected integer, got " + jsonTypeName(value));
      return fallback;
    }
    const number = <i64>value.number;
    if (number < minimum) {
      this.fail(name, "expected " + excerpt(value.text) + " to be at least " + minimum.toString());
      return fallback;
    }
    if (number > maximum) {
      this.fail(name, "expected " + excerpt(value.text) + " to be at most " + maximum.toString());
      return fallback;
    }
    return number;
  }

  /** A boolean member; `fallback` when absent. */
  boolean(name: string, fallback: bool): bool {
    const value = this.member(name, JsonKind.Bool, "boolean");
    return value == null ? fallback : value.bool;
  }

  /** A string member that must be one of `allowed`; `fallback` when absent. */
  choice(name: string, allowed: Array<string>, fallback: string): string {
    const value = this.string(name, fallback);
    if (value != fallback && !allowed.includes(value)) {
      this.fail(name, "expected one of \"" + allowed.join("\", \"") + "\"");
      return fallback;
    }
    return value;
  }

  /** An array member's items (at least `minItems`), or null when absent or of another type. */
  array(name: string, minItems: i32): Array<JsonValue> | null {
    const value = this.member(name, JsonKind.Array, "array");
    if (value == null) return null;
    if (value.items.length < minItems) {
      this.fail(name, "expect array to have at least " + minItems.toString() + " items");
      return null;
    }
    return value.items;
  }

  /** The fields of the object at `index` of array member `name`, or null (reported) when it is not an object. */
  item(name: string, index: i32, value: JsonValue): Fields | null {
    const path = this.path.slice(0);
    path.push(name);
    if (value.kind != JsonKind.Object) {
      this.problems.report(this.prefix() + "property \"" + name + "\" validation failed: item " + index.toString()
        + " validation failed: wrong type: expected object, got " + jsonTypeName(value));
      return null;
    }
    path.push("#" + index.toString());
    return new Fields(value, path, this.problems);
  }

  /** A nested object's fields, or null when absent or of another type. */
  object(name: string): Fields | null {
    const value = this.member(name, JsonKind.Object, "object");
    if (value == null) return null;
    const path = this.path.slice(0);
    path.push(name);
    return new Fields(value, path, this.problems);
  }

  /** Refuses members no reader asked for: a typo must not silently disable a setting. */
  finish(): void {
    for (let i = 0; i < this.node.keys.length; i++) {
      const key = unchecked(this.node.keys[i]);
      if (!this.used.includes(key)) {
        this.failHere("additional properties forbidden, found \"" + excerpt(key) + "\"");
        return;
      }
    }
  }
}
