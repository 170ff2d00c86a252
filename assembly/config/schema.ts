// Typed readers over one JSON object of the plugin config, producing APISIX-style messages
// (`property "timeout" validation failed: expected 50 to be at least 100`). The first error wins.
import { JsonKind, JsonValue, jsonTypeName } from "./json";

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
    for (let i = 0; i < this.path.length; i++) text += "property \"" + this.path[i] + "\" validation failed: ";
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
      this.fail(name, "expected " + value.text + " to be at least " + minimum.toString());
      return fallback;
    }
    if (number > maximum) {
      this.fail(name, "expected " + value.text + " to be at most " + maximum.toString());
      return fallback;
    }
    return number;
  }

  /** A boolean member; `fallback` when absent. */
  boolean(name: string, fallback: bool): bool {
    const value = this.member(name, JsonKind.Bool, "boolean");
    return value == null ? fallback : value.bool;
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
        this.failHere("additional properties forbidden, found \"" + key + "\"");
        return;
      }
    }
  }
}
