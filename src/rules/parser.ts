/**
 * Recursive-descent parser for the Tomcat 7 EL 2.2 grammar (spec §3.3). Produces a {@link RuleAst} or throws
 * `RuleSyntaxError` with the 0-based offset and text of the offending token.
 */
import { RuleSyntaxError } from '../errors.js';
import type { BinaryOp, Expr, RuleAst, Suffix } from './ast.js';
import { scanLiteralEnd, scanToken } from './lexer.js';
import type { Token, TokenKind } from './lexer.js';

/** Checks a function call while parsing (unknown names and wrong arity are load-time errors in Java). @internal */
export type FunctionCheck = (prefix: string, name: string, argCount: number, pos: number) => void;

/** Java keywords and literals `Validation.isIdentifier` rejects (EL spec 1.19). */
const JAVA_RESERVED = new Set([
  'abstract', 'assert', 'boolean', 'break', 'byte', 'case', 'catch', 'char', 'class', 'const', 'continue',
  'default', 'do', 'double', 'else', 'enum', 'extends', 'false', 'final', 'finally', 'float', 'for', 'goto',
  'if', 'implements', 'import', 'instanceof', 'int', 'interface', 'long', 'native', 'new', 'null', 'package',
  'private', 'protected', 'public', 'return', 'short', 'static', 'strictfp', 'super', 'switch', 'synchronized',
  'this', 'throw', 'throws', 'transient', 'true', 'try', 'void', 'volatile', 'while',
]);
const JAVA_ID_START = /^[\p{L}\p{Nl}\p{Sc}\p{Pc}]$/u;
const JAVA_ID_PART = /^[\p{L}\p{Nl}\p{Sc}\p{Pc}\p{Nd}\p{Mn}\p{Mc}\p{Cf}]$/u;

/** Java `Character.isIdentifierIgnorable` for the C0/C1 controls. */
function isIgnorableControl(c: number): boolean {
  return c <= 0x08 || (c >= 0x0e && c <= 0x1b) || (c >= 0x7f && c <= 0x9f);
}

const ASCII_IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function isJavaIdentifier(name: string): boolean {
  if (JAVA_RESERVED.has(name)) return false;
  if (ASCII_IDENTIFIER.test(name)) return true;
  if (!JAVA_ID_START.test(name.charAt(0))) return false;
  for (let i = 1; i < name.length; i++) {
    if (!JAVA_ID_PART.test(name.charAt(i)) && !isIgnorableControl(name.charCodeAt(i))) return false;
  }
  return true;
}

const OR: Partial<Record<TokenKind, BinaryOp>> = { '||': '||', or: '||' };
const AND: Partial<Record<TokenKind, BinaryOp>> = { '&&': '&&', and: '&&' };
const EQUALITY: Partial<Record<TokenKind, BinaryOp>> = { '==': '==', eq: '==', '!=': '!=', ne: '!=' };
const COMPARE: Partial<Record<TokenKind, BinaryOp>> = {
  '<': '<', lt: '<', '>': '>', gt: '>', '<=': '<=', le: '<=', '>=': '>=', ge: '>=',
};
const ADDITIVE: Partial<Record<TokenKind, BinaryOp>> = { '+': '+', '-': '-' };
const MULTIPLICATIVE: Partial<Record<TokenKind, BinaryOp>> = { '*': '*', '/': '/', div: '/', '%': '%', mod: '%' };

/** Deepest nesting of sub-expressions accepted (Java would overflow its stack far deeper; JS sooner). */
export const MAX_NESTING = 256;

class Parser {
  private tok: Token;
  private ahead: Token[] = [];
  private depth = 0;

  constructor(
    private readonly src: string,
    start: number,
    private readonly checkFunction: FunctionCheck,
  ) {
    this.tok = scanToken(src, start);
  }

  /** Consume the `}` that ends the expression; returns the offset where literal text resumes. */
  closeBrace(): number {
    const t = this.expect('}');
    return t.pos + 1;
  }

  fail(token: Token, expected?: string): never {
    const shown = token.kind === 'eof' ? '<EOF>' : token.text;
    const what = token.kind === 'illegal' ? `illegal character "${shown}"` : `"${shown}"`;
    throw new RuleSyntaxError(
      `Failed to parse the expression [${this.src}]: encountered ${what} at offset ${token.pos}` +
        (expected === undefined ? '' : `, expected ${expected}`),
      this.src,
      token.pos,
      shown,
    );
  }

  private peek(n: number): Token {
    while (this.ahead.length < n) {
      const last = this.ahead.length === 0 ? this.tok : (this.ahead[this.ahead.length - 1] as Token);
      this.ahead.push(last.kind === 'eof' ? last : scanToken(this.src, last.pos + last.text.length));
    }
    return this.ahead[n - 1] as Token;
  }

  private next(): Token {
    const t = this.tok;
    this.tok = this.ahead.shift() ?? (t.kind === 'eof' ? t : scanToken(this.src, t.pos + t.text.length));
    return t;
  }

  private expect(kind: TokenKind): Token {
    if (this.tok.kind !== kind) this.fail(this.tok, `"${kind}"`);
    return this.next();
  }

  private identifier(t: Token): string {
    if (!isJavaIdentifier(t.text)) {
      throw new RuleSyntaxError(
        `Failed to parse the expression [${this.src}]: the identifier [${t.text}] is not a valid Java identifier ` +
          'as required by section 1.19 of the EL specification',
        this.src,
        t.pos,
        t.text,
      );
    }
    return t.text;
  }

  expression(): Expr {
    if (++this.depth > MAX_NESTING) this.tooDeep();
    const result = this.choice();
    this.depth--;
    return result;
  }

  private tooDeep(): never {
    throw new RuleSyntaxError(
      `Failed to parse the expression [${this.src}]: nested more than ${MAX_NESTING} levels deep`,
      this.src,
      this.tok.pos,
      this.tok.kind === 'eof' ? '<EOF>' : this.tok.text,
    );
  }

  private choice(): Expr {
    const test = this.or();
    if (this.tok.kind !== '?') return test;
    this.next();
    const then = this.expression();
    this.expect(':');
    const otherwise = this.expression();
    return { kind: 'choice', test, then, otherwise };
  }

  private or(): Expr {
    return this.binary(OR, () => this.binary(AND, () => this.equality()));
  }

  private equality(): Expr {
    return this.binary(EQUALITY, () => this.binary(COMPARE, () => this.binary(ADDITIVE, () => this.mult())));
  }

  private binary(ops: Partial<Record<TokenKind, BinaryOp>>, operand: () => Expr): Expr {
    let left = operand();
    for (let op = ops[this.tok.kind]; op !== undefined; op = ops[this.tok.kind]) {
      this.next();
      left = { kind: 'binary', op, left, right: operand() };
    }
    return left;
  }

  private mult(): Expr {
    return this.binary(MULTIPLICATIVE, () => this.unary());
  }

  private unary(): Expr {
    const ops: ('neg' | 'not' | 'empty')[] = [];
    for (;;) {
      const k = this.tok.kind;
      if (k === '-') ops.push('neg');
      else if (k === '!' || k === 'not') ops.push('not');
      else if (k === 'empty') ops.push('empty');
      else break;
      if (ops.length > MAX_NESTING) this.tooDeep();
      this.next();
    }
    let e = this.value();
    for (let i = ops.length - 1; i >= 0; i--) e = { kind: ops[i] ?? 'not', arg: e };
    return e;
  }

  private value(): Expr {
    const prefix = this.prefix();
    const suffixes: Suffix[] = [];
    for (;;) {
      const t = this.tok;
      let name: string | null = null;
      let index: Expr | null = null;
      if (t.kind === '.') {
        this.next();
        const id = this.tok;
        if (id.kind !== 'ident') this.fail(id, 'an identifier');
        this.next();
        name = this.identifier(id);
      } else if (t.kind === '[') {
        this.next();
        index = this.expression();
        this.expect(']');
      } else {
        break;
      }
      const args = this.tok.kind === '(' ? this.arguments() : null;
      suffixes.push({ name, index, args, pos: t.pos });
    }
    return suffixes.length === 0 ? prefix : { kind: 'value', prefix, suffixes };
  }

  private arguments(): Expr[] {
    this.expect('(');
    const args: Expr[] = [];
    if (this.tok.kind !== ')') {
      args.push(this.expression());
      while (this.tok.kind === ',') {
        this.next();
        args.push(this.expression());
      }
    }
    this.expect(')');
    return args;
  }

  private prefix(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'true':
      case 'false':
        this.next();
        return { kind: 'bool', value: t.kind === 'true' };
      case 'null':
        this.next();
        return { kind: 'null' };
      case 'int':
        this.next();
        return { kind: 'int', image: t.text };
      case 'float':
        this.next();
        return { kind: 'float', value: Number(t.text) };
      case 'string':
        this.next();
        return { kind: 'string', value: unescapeString(t.text) };
      case '(': {
        this.next();
        const inner = this.expression();
        this.expect(')');
        return inner;
      }
      case 'ident':
        return this.isFunctionAhead() ? this.functionCall() : this.identifierExpr();
      default:
        return this.fail(t, 'a value');
    }
  }

  /** Tomcat's `LOOKAHEAD((<IDENTIFIER> <COLON>)? <IDENTIFIER> <LPAREN>)`. */
  private isFunctionAhead(): boolean {
    const a = this.peek(1);
    if (a.kind === '(') return true;
    return a.kind === ':' && this.peek(2).kind === 'ident' && this.peek(3).kind === '(';
  }

  private identifierExpr(): Expr {
    const t = this.next();
    return { kind: 'ident', name: this.identifier(t), pos: t.pos };
  }

  private functionCall(): Expr {
    const first = this.next();
    let prefix = '';
    let name = first.text;
    if (this.tok.kind === ':') {
      this.next();
      prefix = first.text;
      name = this.next().text;
    }
    const args = this.arguments();
    this.checkFunction(prefix, name, args.length, first.pos);
    return { kind: 'func', prefix, name, args, pos: first.pos };
  }
}

/** Tomcat 7 `AstString`: strip the quotes, `\x` becomes `x` for `\\`, `\"` and `\'`. */
function unescapeString(image: string): string {
  const body = image.slice(1, -1);
  return body.includes('\\') ? body.replace(/\\([\\'"])/g, '$1') : body;
}

/**
 * Parse a whole rule string (`CompositeExpression`): literal text and `${…}`/`#{…}` blocks. A lone expression
 * becomes an `expression` AST; anything else is a `composite` (which evaluates to a String). Mixing `${` and
 * `#{` is an error, as in Tomcat's `ExpressionBuilder`.
 * @internal
 */
export function parseRule(src: string, checkFunction: FunctionCheck): RuleAst {
  const parts: (string | Expr)[] = [];
  let kind: '$' | '#' | null = null;
  let pos = 0;
  while (pos < src.length) {
    const c = src.charAt(pos);
    if ((c === '$' || c === '#') && src.charAt(pos + 1) === '{') {
      if (kind !== null && kind !== c) {
        throw new RuleSyntaxError(
          `Failed to parse the expression [${src}]: it cannot mix deferred (#{}) and dynamic (\${}) expressions`,
          src,
          pos,
          `${c}{`,
        );
      }
      kind = c;
      const parser = new Parser(src, pos + 2, checkFunction);
      parts.push(parser.expression());
      pos = parser.closeBrace();
      continue;
    }
    let end = scanLiteralEnd(src, pos);
    if (end === pos) end = pos + 1;
    parts.push(src.slice(pos, end));
    pos = end;
  }
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && typeof only !== 'string') return { kind: 'expression', expr: only };
  return { kind: 'composite', parts };
}
