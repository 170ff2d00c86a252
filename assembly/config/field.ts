// What the declaration of one plugin-config field says (schema/fields.mjs, generated into fields.ts): its
// name, type, default, bounds and the targets it applies to. The reader (reader.ts) enforces them.

/** Where a field applies: a URL function_uri, a Lambda ARN (the Invoke API), or both. */
export enum Targets { Url = 1, Invoke = 2, Any = 3 }

/** The forwarding modes a field applies to: callouts, proxying in place, or both. */
export enum Modes { Callout = 1, Proxy = 2, Any = 3 }

export class Field {
  constructor(
    public readonly name: string,
    public readonly targets: Targets,
    public readonly modes: Modes,
    /** Envoy's cluster or APISIX's runtime enforces it, not the filter (reported when not the default). */
    public readonly hostEnforced: bool,
    /** Never logged. */
    public readonly secret: bool,
  ) {}
}

export class StringField extends Field {
  constructor(name: string, public readonly fallback: string, public readonly required: bool, targets: Targets, modes: Modes,
    secret: bool) {
    super(name, targets, modes, false, secret);
  }
}

export class IntegerField extends Field {
  constructor(name: string, public readonly fallback: i64, public readonly minimum: i64, public readonly maximum: i64,
    targets: Targets, modes: Modes, hostEnforced: bool) {
    super(name, targets, modes, hostEnforced, false);
  }
}

export class BooleanField extends Field {
  constructor(name: string, public readonly fallback: bool, targets: Targets, modes: Modes, hostEnforced: bool) {
    super(name, targets, modes, hostEnforced, false);
  }
}

/** A string that must be one of `choices`; `fallback` "" when it has no default. */
export class ChoiceField extends Field {
  constructor(name: string, public readonly choices: Array<string>, public readonly fallback: string, targets: Targets,
    modes: Modes, hostEnforced: bool) {
    super(name, targets, modes, hostEnforced, false);
  }
}

export class ObjectField extends Field {
  constructor(name: string, public readonly members: Array<Field>, targets: Targets, modes: Modes) {
    super(name, targets, modes, false, false);
  }

  /** The member declared as `name`, or null. */
  member(name: string): Field | null {
    for (let i = 0; i < this.members.length; i++) if (this.members[i].name == name) return this.members[i];
    return null;
  }
}

export class ArrayField extends Field {
  constructor(name: string, public readonly minItems: i32, public readonly maxItems: i32,
    /** Declaration of object items; null for items of a plain type. */
    public readonly item: ObjectField | null, targets: Targets, modes: Modes) {
    super(name, targets, modes, false, false);
  }
}
