/**
 * `JSON.stringify`'s layout with Jackson's numbers: the same text as `JSON.stringify(value, null, indent)`,
 * except that numbers go through {@link jsonNumber}. A {@link JavaDouble}, and a number that JSON text had as
 * a Double (`120.0`, see `isJsonDouble`), is written `120.0`; a bigint is written as its digits (where
 * `JSON.stringify` throws); NaN and the infinities are Jackson's quoted `"NaN"`, `"Infinity"`.
 */
import { JavaDouble, JavaInt } from './boxes.js';
import { jsonDoubleKeys, jsonNumber, jsonString } from './json.js';

function write(value: unknown, key: string, double: boolean, indent: string, depth: string, seen: Set<object>): string | undefined {
  let v = value;
  if (typeof v === 'object' && v !== null && !(v instanceof JavaDouble) && !(v instanceof JavaInt)) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = Reflect.apply(toJSON, v, [key]) as unknown;
  }
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'number':
    case 'bigint':
      return jsonNumber(v, 'double', double);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined; // undefined, functions, symbols
  }
  if (v === null) return 'null';
  if (v instanceof JavaDouble || v instanceof JavaInt) return jsonNumber(v);
  if (seen.has(v)) throw new TypeError('Converting circular structure to JSON');
  seen.add(v);
  const inner = depth + indent;
  const open = indent === '' ? '' : `\n${inner}`;
  const close = indent === '' ? '' : `\n${depth}`;
  const separator = indent === '' ? ',' : `,\n${inner}`;
  const doubles = jsonDoubleKeys(v);
  let out: string;
  if (Array.isArray(v)) {
    const items: string[] = [];
    for (let i = 0; i < v.length; i++) {
      items.push(write(v[i], String(i), doubles?.has(i) ?? false, indent, inner, seen) ?? 'null');
    }
    out = items.length === 0 ? '[]' : `[${open}${items.join(separator)}${close}]`;
  } else {
    const members: string[] = [];
    const colon = indent === '' ? ':' : ': ';
    for (const k of Object.keys(v)) {
      const text = write((v as Record<string, unknown>)[k], k, doubles?.has(k) ?? false, indent, inner, seen);
      if (text !== undefined) members.push(`${jsonString(k)}${colon}${text}`);
    }
    out = members.length === 0 ? '{}' : `{${open}${members.join(separator)}${close}}`;
  }
  seen.delete(v);
  return out;
}

/**
 * `JSON.stringify(value, null, indent)` with Java's numbers (see the module comment); `indent` is a number of
 * spaces (at most 10, as for `JSON.stringify`).
 * @example
 * stringifyJson({ price: new JavaDouble(120), count: 3 }) // '{"price":120.0,"count":3}'
 */
export function stringifyJson(value: unknown, indent = 0): string {
  const text = write(value, '', false, ' '.repeat(Math.max(0, Math.min(10, Math.floor(indent)))), '', new Set());
  return text ?? 'null';
}
