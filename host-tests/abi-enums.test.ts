// One set of ABI enum names on both sides: every enum of the filter's assembly/abi/types.ts exists in the
// emulator (emulator/enums.ts) under the same name, with every member at the same value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as emulatorEnums from "../emulator/enums.ts";

const AS_TYPES = join(import.meta.dirname, "..", "assembly", "abi", "types.ts");

/** `export enum Name { Member = 0, … }` blocks of an AssemblyScript file; every member must have a literal value. */
function parseEnums(source: string): Map<string, Map<string, number>> {
  const enums = new Map<string, Map<string, number>>();
  for (const [, name, body] of source.matchAll(/export\s+enum\s+(\w+)\s*\{([^}]*)\}/g)) {
    const members = new Map<string, number>();
    for (const entry of body.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "").split(",").map((e) => e.trim()).filter(Boolean)) {
      const m = /^(\w+)\s*=\s*(-?\d+|0x[0-9a-f]+)$/i.exec(entry);
      assert.ok(m, `${name}: cannot read member "${entry}" (members need a literal value)`);
      members.set(m[1], Number(m[2]));
    }
    enums.set(name, members);
  }
  return enums;
}

const filterEnums = parseEnums(readFileSync(AS_TYPES, "utf8"));
const ours = emulatorEnums as unknown as Record<string, Record<string, number | string> | undefined>;

test("the filter's ABI enums are read from assembly/abi/types.ts", () => {
  for (const name of ["WasmResult", "BufferType", "MapType", "LogLevel", "FilterStatus", "MetricType"]) {
    assert.ok(filterEnums.has(name), `assembly/abi/types.ts has no enum ${name}`);
  }
});

for (const [name, members] of filterEnums) {
  test(`${name}: the emulator has it, and every member the filter names has the filter's value`, () => {
    const enumObject = ours[name];
    assert.ok(enumObject, `emulator/enums.ts has no enum ${name}`);
    for (const [member, value] of members) {
      assert.equal(enumObject[member], value, `${name}.${member}`);
    }
  });
}
