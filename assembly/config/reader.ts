// Typed reads of one JSON object of the plugin config against its declaration (fields.ts), producing
// APISIX-style messages (`property "timeout" validation failed: expected 50 to be at least 100`). The first
// error wins. Explicit settings are noted for the configure log line, secrets never.
import { excerpt, JsonKind, JsonValue, jsonTypeName } from "../util/json-reader";
import { ArrayField, BooleanField, ChoiceField, Field, IntegerField, Modes, ObjectField, StringField, Targets } from "./field";

/** One setting the config gave a non-default value, for the configure log line. */
export class Setting {
  constructor(public path: string, public value: string, public hostEnforced: bool) {}
}

/** What reading one config document found: its first error, and the non-default settings it gave. */
export class ConfigReport {
  first: string = "";
  settings: Array<Setting> = [];
  get found(): bool { return this.first.length > 0; }
  report(message: string): void {
    if (this.first.length == 0) this.first = message;
  }
}

/** The fields of one object at `path` (e.g. ["authorization", "iam"]), read against its declaration. */
export class Fields {
  constructor(public node: JsonValue, public declaration: ObjectField, public path: Array<string>,
    public report: ConfigReport) {}

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
    this.report.report(this.prefix() + "property \"" + name + "\" validation failed: " + rule);
  }

  /** Reports a rule broken by this object as a whole (e.g. a missing member). */
  failHere(rule: string): void {
    this.report.report(this.prefix() + rule);
  }

  has(field: Field): bool {
    return this.node.get(field.name) != null;
  }

  /** Notes a non-default setting for the log line, under its dotted path. */
  private note(field: Field, value: string): void {
    if (field.secret) return;
    let path = "";
    for (let i = 0; i < this.path.length; i++) {
      // Settings inside array items are summed up by the array's own note.
      if (this.path[i].startsWith("#")) return;
      path += this.path[i] + ".";
    }
    this.report.settings.push(new Setting(path + field.name, value, field.hostEnforced));
  }

  private member(field: Field, kind: JsonKind, expected: string): JsonValue | null {
    const value = this.node.get(field.name);
    if (value == null) return null;
    if (value.kind != kind) {
      this.fail(field.name, "wrong type: expected " + expected + ", got " + jsonTypeName(value));
      return null;
    }
    return value;
  }

  /** A string member; its default ("" when none) when absent. Empty strings are refused (minLength 1). */
  string(field: StringField): string {
    const value = this.member(field, JsonKind.String, "string");
    if (value == null) {
      if (field.required && this.node.get(field.name) == null) this.failHere("property \"" + field.name + "\" is required");
      return field.fallback;
    }
    if (value.text.length == 0) {
      this.fail(field.name, "string too short, expected at least 1, got 0");
      return field.fallback;
    }
    return value.text;
  }

  /** An integer member within the declared bounds; the default when absent. */
  integer(field: IntegerField): i64 {
    const value = this.node.get(field.name);
    if (value == null) return field.fallback;
    if (value.kind != JsonKind.Number || !value.isInteger()) {
      this.fail(field.name, "wrong type: expected integer, got " + jsonTypeName(value));
      return field.fallback;
    }
    const number = <i64>value.number;
    if (number < field.minimum) {
      this.fail(field.name, "expected " + excerpt(value.text) + " to be at least " + field.minimum.toString());
      return field.fallback;
    }
    if (number > field.maximum) {
      this.fail(field.name, "expected " + excerpt(value.text) + " to be at most " + field.maximum.toString());
      return field.fallback;
    }
    if (number != field.fallback) this.note(field, number.toString());
    return number;
  }

  /** A boolean member; `fallback` (the declared default unless the caller knows better) when absent. */
  boolean(field: BooleanField, fallback: bool = field.fallback): bool {
    const value = this.member(field, JsonKind.Bool, "boolean");
    if (value == null) return fallback;
    if (value.bool != fallback) this.note(field, value.bool ? "true" : "false");
    return value.bool;
  }

  /** A string member that must be one of the declared choices; the default when absent. */
  choice(field: ChoiceField): string {
    const value = this.member(field, JsonKind.String, "string");
    if (value == null) return field.fallback;
    if (value.text.length == 0) {
      this.fail(field.name, "string too short, expected at least 1, got 0");
      return field.fallback;
    }
    if (!field.choices.includes(value.text)) {
      this.fail(field.name, "expected one of \"" + field.choices.join("\", \"") + "\"");
      return field.fallback;
    }
    if (value.text != field.fallback) this.note(field, value.text);
    return value.text;
  }

  /** An array member's items (within the declared counts), or null when absent or of another type. */
  array(field: ArrayField): Array<JsonValue> | null {
    const value = this.member(field, JsonKind.Array, "array");
    if (value == null) return null;
    if (value.items.length < field.minItems) {
      this.fail(field.name, "expect array to have at least " + field.minItems.toString() + " items");
      return null;
    }
    if (field.maxItems > 0 && value.items.length > field.maxItems) {
      this.fail(field.name, "expect array to have at most " + field.maxItems.toString() + " items");
      return null;
    }
    return value.items;
  }

  /** Notes an array's setting in the caller's words (e.g. the names it lists). */
  noteArray(field: ArrayField, summary: string): void {
    this.note(field, summary);
  }

  /** The fields of object item `index` of array `field`, or null (reported) when it is not an object. */
  item(field: ArrayField, index: i32, value: JsonValue): Fields | null {
    const path = this.path.slice(0);
    path.push(field.name);
    if (value.kind != JsonKind.Object || field.item == null) {
      this.report.report(this.prefix() + "property \"" + field.name + "\" validation failed: item " + index.toString()
        + " validation failed: wrong type: expected object, got " + jsonTypeName(value));
      return null;
    }
    path.push("#" + index.toString());
    return new Fields(value, field.item!, path, this.report);
  }

  /** A nested object's fields, or null when absent or of another type. */
  object(field: ObjectField): Fields | null {
    const value = this.member(field, JsonKind.Object, "object");
    if (value == null) return null;
    const path = this.path.slice(0);
    path.push(field.name);
    return new Fields(value, field, path, this.report);
  }

  /** Refuses members the declaration does not have: a typo must not silently disable a setting. */
  finish(): void {
    for (let i = 0; i < this.node.keys.length; i++) {
      const key = unchecked(this.node.keys[i]);
      if (this.declaration.member(key) == null) {
        this.failHere("additional properties forbidden, found \"" + excerpt(key) + "\"");
        return;
      }
    }
  }

  /** Refuses present members declared for the other kind of target (e.g. Invoke API options with a URL). */
  checkTargets(target: Targets, rule: string): void {
    this.checkApplies(<i32>target, false, rule);
  }

  /** Refuses present members declared for the other forwarding mode (e.g. `upstream` in proxy mode). */
  checkModes(mode: Modes, rule: string): void {
    this.checkApplies(<i32>mode, true, rule);
  }

  private checkApplies(flag: i32, byMode: bool, rule: string): void {
    const members = this.declaration.members;
    for (let i = 0; i < members.length; i++) {
      const member = members[i];
      if (!this.has(member)) continue;
      if (((byMode ? <i32>member.modes : <i32>member.targets) & flag) == 0) { this.fail(member.name, rule); return; }
      if (member instanceof ObjectField) {
        const value = this.node.get(member.name)!;
        if (value.kind == JsonKind.Object) {
          const path = this.path.slice(0);
          path.push(member.name);
          new Fields(value, <ObjectField>member, path, this.report).checkApplies(flag, byMode, rule);
        }
      }
    }
  }
}
