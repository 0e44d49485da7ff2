/** Validation of the global variable name `procScript` declares. */

/** An IdentifierName without escapes (ECMAScript §12.7): what can follow `var ` verbatim. */
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/**
 * Names that are not usable: reserved words (a syntax error after `var`), strict-mode restricted names,
 * read-only globals (the assignment would be silently lost), and browser globals whose setters have side
 * effects (`var location = …` navigates, `var name = …` stringifies into `window.name`).
 */
const FORBIDDEN = new Set([
  // Reserved words and literals.
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in',
  'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public', 'return',
  'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
  // Restricted in strict mode, or read-only globals.
  'arguments', 'eval', 'undefined', 'NaN', 'Infinity', 'globalThis',
  // Browser globals with setters or that cannot be replaced.
  'window', 'self', 'document', 'location', 'top', 'parent', 'frames', 'opener', 'name', 'status', 'closed',
  'length', 'origin', 'history', 'navigator',
]);

/**
 * Whether `name` can be declared with `var name = …;` in a classic script without surprises.
 * @param name - the candidate global name.
 */
export function isUsableGlobalName(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name) && !FORBIDDEN.has(name);
}
