/**
 * Serialisation of values into an HTML `<script>` element. The text must survive two parsers: the HTML
 * tokenizer (which ends the element at the first `</script` and switches state on `<!--`) and then JavaScript
 * or `JSON.parse`. Escaping every `<`, `>` and `&` as `\uXXXX` means the tokenizer never sees markup; escaping
 * U+2028/U+2029 keeps pre-ES2019 engines from reading them as line breaks inside string literals.
 */

/** Characters that must never appear raw in script text, with their JSON/JS escape. */
const UNSAFE_CHARS = /[<>&\u2028\u2029]/g;
const UNSAFE_REPLACEMENTS: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Characters that are special in a double-quoted HTML attribute value (and outside one, for good measure). */
const ATTRIBUTE_CHARS = /[&"'<>]/g;
const ATTRIBUTE_REPLACEMENTS: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
};

/**
 * Escape a string for a double-quoted HTML attribute value.
 * @param value - any string (a nonce, an element id).
 * @returns the escaped text, to be placed between `"…"`.
 */
export function escapeAttribute(value: string): string {
  return value.replace(ATTRIBUTE_CHARS, (c) => ATTRIBUTE_REPLACEMENTS[c] ?? c);
}

/**
 * Serialise a JSON-like value as text that is safe inside a `<script>` element.
 *
 * Both forms escape `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX` (legal in JSON strings, and these characters
 * cannot occur outside strings in JSON), keep lone surrogates as `\uXXXX` escapes, write `-0` as `-0`, and
 * write non-finite numbers, `undefined` inside arrays, functions, symbols and bigints as `null` (as
 * `JSON.stringify` does; object members holding `undefined` are left out). Objects with a `toJSON` method
 * are serialised through it. A cycle, and an object or array nested deeper than {@link MAX_SCRIPT_DEPTH}
 * levels, are written as `null` rather than overflowing the stack.
 *
 * @param value - the value (payloads are JSON data: strings, numbers, booleans, arrays, plain objects).
 * @param form - `'json'`: strict JSON text, for `JSON.parse` (a JSON island). `'js'`: a JavaScript
 *   expression; identical except that an object key `__proto__` is written as the computed key
 *   `["__proto__"]`, because in an object *literal* `"__proto__": v` sets the prototype instead of creating
 *   the property that `JSON.parse` would create.
 * @default form 'json'
 */
export function serializeForScript(value: unknown, form: 'json' | 'js' = 'json'): string {
  return write(value, form === 'js', []).replace(UNSAFE_CHARS, (c) => UNSAFE_REPLACEMENTS[c] ?? c);
}

/**
 * Objects and arrays nested deeper than this are written as `null`. Twice what a matrix may nest
 * (`MAX_MATRIX_DEPTH`), so a loaded payload is never cut; it bounds payloads that did not come through the
 * loader (a Pipet's answer, an application's own data), a few thousand levels of which would overflow the stack.
 */
export const MAX_SCRIPT_DEPTH = 512;

/** String concatenation rather than an array of parts: V8 builds ropes, which is faster at these sizes. */
function write(value: unknown, js: boolean, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes quotes, backslashes, control characters and lone surrogates.
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? (value === 0 && 1 / value < 0 ? '-0' : String(value)) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value === null || ancestors.length >= MAX_SCRIPT_DEPTH || ancestors.includes(value)) return 'null';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const replaced: unknown = toJSON.call(value);
    if (replaced !== value) {
      ancestors.push(value);
      const text = write(replaced, js, ancestors);
      ancestors.pop();
      return text;
    }
  }
  ancestors.push(value);
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + write(value[i], js, ancestors);
    text += ']';
  } else {
    text = '{';
    let first = true;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const member: unknown = (value as Record<string, unknown>)[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
      text += (first ? '' : ',') + (js && key === '__proto__' ? '["__proto__"]' : JSON.stringify(key)) + ':' + write(member, js, ancestors);
      first = false;
    }
    text += '}';
  }
  ancestors.pop();
  return text;
}
