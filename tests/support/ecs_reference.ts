/**
 * The ECS reference the ECS view is checked against: tests/fixtures/ecs_fields.json, written from
 * elastic/ecs's generated/ecs/ecs_flat.yml (the field types, array normalisation and allowed
 * values of the fields mlids writes), and a checker of documents against it.
 * @module
 */

import { fileURLToPath } from "node:url";

/** One ECS field as the reference defines it. */
export interface EcsField {
  type: string;
  normalize?: string[];
  /** Allowed values; for `event.category`, each with the `event.type` values expected with it. */
  allowed_values?: string[] | Record<string, string[]>;
}

/** The fixture: the ECS version, the top-level field sets, the fields used. */
export interface EcsReference {
  ecs_version: string;
  field_sets: string[];
  fields: Record<string, EcsField>;
}

/** Reads tests/fixtures/ecs_fields.json. */
export async function loadEcsReference(): Promise<EcsReference> {
  const path = fileURLToPath(new URL("../fixtures/ecs_fields.json", import.meta.url));
  return JSON.parse(await Deno.readTextFile(path)) as EcsReference;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every leaf of a nested document as a dotted path and its value. */
function leaves(value: Record<string, unknown>, prefix = ""): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (isObject(child) && Object.keys(child).length > 0) out.push(...leaves(child, path));
    else out.push([path, child]);
  }
  return out;
}

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function scalarProblem(path: string, field: EcsField, value: unknown): string | null {
  switch (field.type) {
    case "keyword":
    case "match_only_text":
    case "text":
      return typeof value === "string" ? null : `${path} is a ${field.type}, not ${typeof value}`;
    case "long": {
      const integer = typeof value === "bigint"
        ? value
        : typeof value === "number" && Number.isSafeInteger(value)
        ? BigInt(value)
        : null;
      if (integer === null) return `${path} is a long, not ${JSON.stringify(String(value))}`;
      return integer < LONG_MIN || integer > LONG_MAX ? `${path} is beyond a long` : null;
    }
    case "date":
      return typeof value === "string" && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : `${path} is a date (ISO 8601), not ${JSON.stringify(value)}`;
    default:
      return `${path} has type ${field.type}, which this checker does not know`;
  }
}

/**
 * What is wrong with `document` against the reference: unknown ECS fields, wrong types, arrays
 * where ECS wants one value (or the reverse), values outside the allowed ones, an `event.type`
 * not expected with an `event.category`, custom fields outside `customRoot`, a wrong `ecs.version`.
 */
export function ecsProblems(
  document: Record<string, unknown>,
  reference: EcsReference,
  options: { customRoot: string },
): string[] {
  const problems: string[] = [];
  if (reference.field_sets.includes(options.customRoot)) {
    problems.push(`${options.customRoot} is an ECS field set, not a custom namespace`);
  }
  const flat = new Map(leaves(document));
  for (const [path, value] of flat) {
    if (path === options.customRoot || path.startsWith(`${options.customRoot}.`)) continue;
    const field = reference.fields[path];
    if (field === undefined) {
      problems.push(`${path} is not an ECS field this reference knows`);
      continue;
    }
    const isArray = field.normalize?.includes("array") ?? false;
    if (isArray !== Array.isArray(value)) {
      problems.push(`${path} must ${isArray ? "" : "not "}be an array`);
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      const problem = scalarProblem(path, field, item);
      if (problem !== null) problems.push(problem);
      const allowed = field.allowed_values;
      if (allowed !== undefined) {
        const names = Array.isArray(allowed) ? allowed : Object.keys(allowed);
        if (!names.includes(String(item))) {
          problems.push(`${path} may not be ${JSON.stringify(item)}`);
        }
      }
    }
  }
  const categories = reference.fields["event.category"]?.allowed_values;
  const types = flat.get("event.type");
  if (isObject(categories) && Array.isArray(flat.get("event.category")) && Array.isArray(types)) {
    for (const category of flat.get("event.category") as string[]) {
      for (const type of types as string[]) {
        if (!(categories[category] as string[] | undefined)?.includes(type)) {
          problems.push(`event.type ${type} is not expected with event.category ${category}`);
        }
      }
    }
  }
  if (!flat.has("@timestamp")) problems.push("@timestamp is required");
  if (flat.get("ecs.version") !== reference.ecs_version) {
    problems.push(`ecs.version is not ${reference.ecs_version}`);
  }
  return problems;
}
