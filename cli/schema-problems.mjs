// Every problem the published JSON Schema (schema/aws-lambda.schema.json) finds in a plugin config, in
// words, where the filter itself stops at the first. An unknown key gets the nearest declared field
// (schema/fields.mjs) as a suggestion: "timout" → did you mean "timeout"?
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { closest, distance } from "fastest-levenshtein";
import { FIELDS } from "../schema/fields.mjs";

/** The published schema, as the package names it. */
export const SCHEMA_FILE = "schema/aws-lambda.schema.json";
const SCHEMA = JSON.parse(readFileSync(new URL(`../${SCHEMA_FILE}`, import.meta.url), "utf8"));
let compiled;

/** What a pattern or anyOf of a field means, for the fields whose rule is a regular expression. */
const FORMS = {
  function_uri: "must be an absolute http(s) URL (no credentials or fragment) or a Lambda function ARN",
  path_prefix: "must start with \"/\" and hold no \"*\", \"?\" or \"#\"",
  upstream: "must not contain spaces or control characters",
  apikey_env: "must be an environment variable name (letters, digits and '_', not starting with a digit)",
  aws_region: "must be lower-case letters, digits and '-'",
  service: "must be lower-case letters, digits and '-'",
  container_endpoint: "must be an https URL, or http to loopback, 169.254.170.2 or 169.254.170.23 (no query or fragment)",
  imds_endpoint: "must be an http(s) URL without query or fragment",
  sts_endpoint: "must be an http(s) URL without query or fragment",
  role_arn: "must be arn:<partition>:iam::<12-digit account>:role/<name>",
  name: "must be a version, an alias or $LATEST",
};
const DEFAULT_FORM = "has characters or a form the filter refuses";

/** "/authorization/iam" → ["authorization", "iam"]; JSON Pointer escapes undone. */
const segments = (pointer) => (pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~")));

/** Dotted path with array items as [n]: authorization.iam.aws_region, qualifiers[0].name. */
function dotted(parts) {
  return parts.reduce((text, part) => (/^\d+$/.test(part) ? `${text}[${part}]` : text ? `${text}.${part}` : part), "");
}

/** The declared members of the object at `parts` (array indices skipped), or [] when it is not declared. */
function membersAt(parts) {
  let members = FIELDS;
  for (const part of parts) {
    if (/^\d+$/.test(part)) continue;
    const field = members.find((f) => f.name === part);
    members = field?.fields ?? field?.items?.fields ?? [];
  }
  return members;
}

/** Every declared path, for an unknown key that is a field somewhere else. */
function allPaths(members = FIELDS, prefix = []) {
  return members.flatMap((f) => [[...prefix, f.name], ...allPaths(f.fields ?? f.items?.fields ?? [], [...prefix, f.name])]);
}

/** The hint for an unknown key: the nearest member here (a typo), else where a member of that name lives. */
export function suggestField(parts, name) {
  const names = membersAt(parts).map((f) => f.name);
  if (names.length > 0) {
    const nearest = closest(name, names);
    if (distance(name, nearest) <= Math.max(2, Math.floor(name.length / 3))) return `did you mean "${dotted([...parts, nearest])}"?`;
  }
  const elsewhere = allPaths().filter((path) => path.at(-1) === name).map((path) => `"${path.join(".")}"`);
  return elsewhere.length > 0 ? `it belongs at ${elsewhere.join(" or ")}` : "";
}

function typeName(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return Number.isInteger(value) ? "integer" : typeof value;
}

/** The schema node at an ajv schemaPath ("#/properties/x/not"). */
function schemaAt(schemaPath) {
  return segments(schemaPath.slice(1)).reduce((node, part) => node?.[part], SCHEMA);
}

/** The member names an `anyOf` of `required` lists (or a plain `required`) asks for. */
function requiredNames(rule) {
  return rule?.required ?? rule?.anyOf?.flatMap((branch) => branch.required ?? []) ?? [];
}

/** Why a field was forbidden by a `false` schema, from the branch that forbade it. */
function forbiddenWhy(schemaPath) {
  if (/\/then\/allOf\/\d+\/then\//.test(schemaPath)) return "does not apply when function_uri names its qualifier (drop one of them)";
  if (schemaPath.startsWith("#/allOf/0/then/")) return "does not apply to the Invoke API (function_uri is a Lambda function ARN)";
  if (schemaPath.startsWith("#/allOf/0/else/")) return "only applies when function_uri is a Lambda function ARN";
  return "is not allowed here";
}

/** One line for one ajv error, or null for errors that only summarise others (if, anyOf children). */
function describe(error, config) {
  const parts = segments(error.instancePath);
  const at = (extra = []) => (parts.length + extra.length > 0 ? `"${dotted([...parts, ...extra])}"` : "the config");
  const value = parts.reduce((node, part) => node?.[part], config);
  const field = parts.filter((p) => !/^\d+$/.test(p)).at(-1);
  const p = error.params;
  switch (error.keyword) {
    case "additionalProperties": {
      const hint = suggestField(parts, p.additionalProperty);
      return `${at([p.additionalProperty])} is not a field${hint ? `: ${hint}` : ""}`;
    }
    case "required": return `${at([p.missingProperty])} is required`;
    case "type": return `${at()} must be ${p.type === "integer" || p.type === "array" || p.type === "object" ? "an" : "a"} ${p.type}, not ${typeName(value)}`;
    case "minimum": return `${at()} must be at least ${p.limit}, not ${value}`;
    case "maximum": return `${at()} must be at most ${p.limit}, not ${value}`;
    case "minLength": return `${at()} must not be empty`;
    case "minItems": return `${at()} needs at least ${p.limit} item${p.limit === 1 ? "" : "s"}`;
    case "maxItems": return `${at()} takes at most ${p.limit} items`;
    case "enum": return `${at()} must be one of ${p.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    case "const": return `${at()} must be ${JSON.stringify(p.allowedValue)} here`;
    case "pattern": return `${at()} ${FORMS[field] ?? DEFAULT_FORM}`;
    case "anyOf": {
      // A dependency whose alternatives are members (accesskey needs secretkey or secret_key).
      const dependency = /\/dependencies\/([^/]+)\/anyOf$/.exec(error.schemaPath);
      if (dependency) return `${at([dependency[1]])} needs ${requiredNames(schemaAt(error.schemaPath.replace(/\/anyOf$/, ""))).map((n) => at([n])).join(" or ")}`;
      return `${at()} ${FORMS[field] ?? DEFAULT_FORM}`;
    }
    case "false schema": return `${at()} ${forbiddenWhy(error.schemaPath)}`;
    case "dependencies": return `${at([p.property])} needs ${at([p.missingProperty])}`;
    case "not": {
      const rule = schemaAt(error.schemaPath);
      if (rule?.required) return `use either ${rule.required.map((name) => at([name])).join(" or ")}, not both`;
      // IAM_RULES: `if` some members are given, `then` `not` these others.
      const given = requiredNames(schemaAt(error.schemaPath.replace(/\/then\/not$/, "/if")));
      return `${at()}: ${given.join(", ")} cannot be combined with ${requiredNames(rule).join(", ")}`;
    }
    case "if": return null;
    default: return `${at()} ${error.message}`;
  }
}

/** Every problem the JSON Schema finds in `config` (parsed JSON), one line each; [] when it is valid. */
export function schemaProblems(config) {
  compiled ??= new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(SCHEMA);
  if (compiled(config)) return [];
  const errors = compiled.errors ?? [];
  // An anyOf reports its branches too; its own line says what is wrong once.
  const anyOfs = errors.filter((e) => e.keyword === "anyOf").map((e) => e.schemaPath);
  // Without a function_uri string the ARN branch's `if` holds vacuously: its rules would mislead.
  const vacuousArn = typeof config?.function_uri !== "string";
  const lines = errors
    .filter((e) => !anyOfs.some((path) => e.schemaPath.startsWith(`${path}/`)))
    .filter((e) => !(vacuousArn && e.schemaPath.startsWith("#/allOf/0/")))
    .map((e) => describe(e, config))
    .filter((line) => line !== null);
  return [...new Set(lines)];
}
