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
 * are serialised through it. A cycle is written as `null` rather than overflowing the stack.
 *
 * @param value - the value (payloads are JSON data: strings, numbers, booleans, arrays, plain objects).
 * @param form - `'json'`: strict JSON text, for `JSON.parse` (a JSON island). `'js'`: a JavaScript
 *   expression; identical except that an object key `__proto__` is written as the computed key
 *   `["__proto__"]`, because in an object *literal* `"__proto__": v` sets the prototype instead of creating
 *   the property that `JSON.parse` would create.
 * @default form 'json'
 */
export function serializeForScript(value: unknown, form: 'json' | 'js' = 'json'): string {
  const out: string[] = [];
  write(value, form === 'js', out, []);
  return out.join('').replace(UNSAFE_CHARS, (c) => UNSAFE_REPLACEMENTS[c] ?? c);
}

function write(value: unknown, js: boolean, out: string[], ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes quotes, backslashes, control characters and lone surrogates.
      out.push(JSON.stringify(value));
      return;
    case 'number':
      out.push(Object.is(value, -0) ? '-0' : Number.isFinite(value) ? String(value) : 'null');
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      break;
    default:
      out.push('null');
      return;
  }
  if (value === null || ancestors.includes(value)) {
    out.push('null');
    return;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const replaced: unknown = toJSON.call(value);
    if (replaced !== value) {
      ancestors.push(value);
      write(replaced, js, out, ancestors);
      ancestors.pop();
      return;
    }
  }
  ancestors.push(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      write(value[i], js, out, ancestors);
    }
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    for (const key of Object.keys(value)) {
      const member: unknown = (value as Record<string, unknown>)[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
      if (!first) out.push(',');
      first = false;
      out.push(js && key === '__proto__' ? '["__proto__"]' : JSON.stringify(key), ':');
      write(member, js, out, ancestors);
    }
    out.push('}');
  }
  ancestors.pop();
}
