/**
 * JSON text the way Pipet's Jackson writes it: `DefaultPrettyPrinter` layout (`"key" : value`, objects one
 * entry per line indented by two spaces per object level, arrays inline as `[ a, b ]`, empty `{ }` and `[ ]`).
 * Strings and numbers are written by the Java floor's `jsonString` and `jsonNumber`: a `JavaDouble` (or a
 * number read as a Double from JSON text, see `isJsonDouble`) as `1.0`, a `JavaInt` and a whole JS number as
 * `1`.
 */
import { JavaDouble, JavaInt } from '../java/boxes.js';
import { jsonDoubleKeys, jsonNumber, jsonString } from '../java/json.js';
import type { NumberStyle } from '../java/json.js';

/** A value from a `json` payload (a Jackson `JsonNode`): its doubles are always written by `Double.toString`. */
export class JsonNodeValue {
  constructor(readonly value: unknown) {}
}

const INDENTS: string[] = [];

/** Newline plus two spaces per enclosing object (Jackson's `DefaultIndenter`). */
export function indent(level: number): string {
  let text = INDENTS[level];
  if (text === undefined) {
    text = `\n${'  '.repeat(level)}`;
    INDENTS[level] = text;
  }
  return text;
}

/** `double`: the value was read from JSON text as a Double (a whole one, `120.0`). */
function write(value: unknown, level: number, style: NumberStyle, double = false): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
    case 'bigint':
      return jsonNumber(value, style, double);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value instanceof JavaDouble || value instanceof JavaInt) return jsonNumber(value, style);
  if (value instanceof JsonNodeValue) return write(value.value, level, 'double', double);
  const doubles = jsonDoubleKeys(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    let out = '[ ';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ', ';
      out += write(value[i], level, style, doubles?.has(i));
    }
    return `${out} ]`;
  }
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return write((json as () => unknown).call(value), level, style);
  let out = '{';
  let count = 0;
  const inner = indent(level + 1);
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out += `${count === 0 ? '' : ','}${inner}${jsonString(key)} : ${write(v, level + 1, style, doubles?.has(key))}`;
    count++;
  }
  return count === 0 ? '{ }' : `${out}${indent(level)}}`;
}

/**
 * Write a value as Jackson's pretty printer would. `level` is the number of objects enclosing the value
 * (for fragments later inserted with {@link RawJson}). Doubles are written in `style`: `double` (Jackson's
 * default) or `decimal` (Proctor's matrix serializer).
 * @example
 * writeJson({ a: [1, 2], b: {} }) // '{\n  "a" : [ 1, 2 ],\n  "b" : { }\n}'
 */
export function writeJson(value: unknown, options: { readonly style?: 'double' | 'decimal'; readonly level?: number } = {}): string {
  return write(value, options.level ?? 0, options.style ?? 'double');
}
