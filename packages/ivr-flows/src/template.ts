/**
 * `{{path}}` templates over the call's variables and caller facts. Paths are
 * dotted: `caller.number`, `caller.attributes.region`, or a variable name.
 * A missing value renders as the empty string.
 */
import type { CallerInfo } from "./port.js";
import type { VarValue } from "./schema.js";

export interface Scope {
  caller: CallerInfo;
  vars: ReadonlyMap<string, VarValue>;
}

export function lookup(scope: Scope, path: string): VarValue | undefined {
  const parts = path.split(".");
  if (parts[0] === "caller") {
    const field = parts[1];
    if (field === "number") return scope.caller.number;
    if (field === "dialled") return scope.caller.dialled;
    if (field === "media") return scope.caller.media;
    if (field === "attributes" && parts[2] !== undefined) return scope.caller.attributes?.[parts[2]];
    return field !== undefined ? scope.caller.attributes?.[field] : undefined;
  }
  return parts.length === 1 ? scope.vars.get(path) : undefined;
}

const PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

export function render(template: string, scope: Scope, encode: (s: string) => string = (s) => s): string {
  return template.replace(PATTERN, (_m, path: string) => {
    const v = lookup(scope, path);
    return v === undefined ? "" : encode(String(v));
  });
}

/** Renders string values as templates; numbers and booleans pass through. */
export function renderValues(values: Record<string, VarValue>, scope: Scope): Record<string, VarValue> {
  const out: Record<string, VarValue> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === "string" ? render(v, scope) : v;
  return out;
}
