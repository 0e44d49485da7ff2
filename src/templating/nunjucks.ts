/**
 * `proctor-node/nunjucks`: the `{% proctor %}` tag, the `procPayload` filter/function and the `procScript`
 * function for a Nunjucks environment you create. Nunjucks is never imported here: everything (including
 * the safe-string class) comes from the environment passed in, so the plugin works with whichever Nunjucks
 * copy the app uses.
 */
import { ConfigError } from '../errors.js';
import { createTemplateHelpers, splitScriptArgs } from './shared.js';
import type { ProctorTemplateOptions, TemplateHelpers } from './shared.js';

export { procPayload, proctorMatches } from './shared.js';
export type { ProctorTemplateOptions } from './shared.js';
export { procScript } from './script/proc-script.js';
export type { ProcScriptOptions } from './script/proc-script.js';

/** The parts of a Nunjucks `Environment` the plugin uses (structural, so Nunjucks stays optional). */
export interface NunjucksEnvironmentLike {
  addExtension(name: string, extension: NunjucksExtension): unknown;
  addFilter(name: string, filter: (...args: never[]) => unknown): unknown;
  addGlobal(name: string, value: unknown): unknown;
  getFilter(name: string): unknown;
}

/** A Nunjucks tag extension, as `env.addExtension` takes it. */
export interface NunjucksExtension {
  readonly tags: string[];
  parse(parser: NunjucksParser, nodes: NunjucksNodes, lexer: NunjucksLexer): unknown;
}

/** The undocumented parser API a tag extension uses (nunjucks/src/parser.js). */
export interface NunjucksParser {
  nextToken(): { value: string };
  parseSignature(tolerant: null, noParens: true): unknown;
  advanceAfterBlockEnd(name?: string): unknown;
  parseUntilBlocks(...names: string[]): unknown;
  skipSymbol(name: string): boolean;
  skip(type: string): boolean;
}

/** `nodes` as handed to `parse`. */
export interface NunjucksNodes {
  CallExtension: new (extension: object, method: string, args: unknown, contentArgs: unknown[]) => unknown;
}

/** `lexer` as handed to `parse`. */
export interface NunjucksLexer {
  readonly TOKEN_BLOCK_END: string;
}

/** The template context Nunjucks binds as `this` for filters and global functions. */
interface NunjucksContext {
  lookup(name: string): unknown;
}

type Body = ((cb?: unknown) => string) | null;
type MarkSafe = (html: string) => unknown;

function lookup(context: unknown, name: string): unknown {
  return typeof context === 'object' && context !== null && typeof (context as NunjucksContext).lookup === 'function'
    ? (context as NunjucksContext).lookup(name)
    : undefined;
}

/** Nunjucks passes `name=value` arguments as one trailing object marked `__keywords`. */
function splitKeywords(args: unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (typeof last === 'object' && last !== null && (last as { __keywords?: unknown }).__keywords === true) {
    const { __keywords: _marker, ...keywords } = last as Record<string, unknown>;
    return { positional: args.slice(0, -1), keywords };
  }
  return { positional: args, keywords: {} };
}

function payloadCall(helpers: TemplateHelpers, context: unknown, test: unknown, rest: unknown[]): unknown {
  const { positional, keywords } = splitKeywords(rest);
  const fallback = 'fallback' in keywords ? keywords.fallback : positional[0];
  const index = 'index' in keywords ? keywords.index : positional[1];
  return helpers.payload(lookup(context, helpers.contextKey), test, fallback, index);
}

/**
 * Add Proctor to a Nunjucks environment:
 *
 * - tag `{% proctor 'buttoncolortst', 'blue', 'green' %}…{% else %}…{% endproctor %}`: the body when the
 *   user's bucket is one of the names (or values: `1`, `'1'`) listed, the optional else branch otherwise
 *   (unassigned and unknown tests included). Arguments are expressions: `{% proctor testName, groups %}`
 *   (arrays are searched).
 * - filter `{{ 'buttontexttst' | procPayload('Sign Up') }}` and function `{{ procPayload('buttontexttst', 'Sign Up') }}`:
 *   the payload, or the fallback when it is null/undefined. Array/map element: a second argument,
 *   `{{ 'countryalgotst' | procPayload(2, 0) }}` is `payload[0]`, or `2` when missing; named arguments
 *   read better: `procPayload(fallback=2, index=0)`. Output is autoescaped like any value.
 * - function `{{ procScript('buttoncolortst', 'buttontexttst') }}`: the `<script>` of `procScript`, as a safe
 *   string (no `| safe` needed); no names means all configured tests; `name=`, `mode=`, `id=`, `nonce=`
 *   override the defaults, and the nonce defaults to the `cspNonce` template variable.
 * - function `{% if proctor('buttoncolortst', 'blue') %}`: the tag's test as an expression.
 *
 * `proc` comes from the template variable `proc`: `res.locals.proc` under the Express middleware, or
 * `env.render('page.njk', { proc })` with a `proc` or `proc.templateView()`. `{{ proc.buttoncolortst.group }}`
 * works directly. Macros imported from other files see `proc` only when imported `with context`.
 *
 * @param env - a Nunjucks `Environment` (`nunjucks.configure(…)` or `new nunjucks.Environment(…)`).
 * @param options - see {@link ProctorTemplateOptions}. @default {}
 * @returns `env`, for chaining.
 * @example
 * const env = nunjucks.configure('views', { autoescape: true, express: app });
 * registerProctor(env);
 * // {% proctor 'buttoncolortst', 'blue' %}<button class="blue">{% else %}<button>{% endproctor %}
 */
export function registerProctor<E extends NunjucksEnvironmentLike>(env: E, options: ProctorTemplateOptions = {}): E {
  if (
    typeof env !== 'object' ||
    env === null ||
    typeof env.addExtension !== 'function' ||
    typeof env.addFilter !== 'function' ||
    typeof env.addGlobal !== 'function' ||
    typeof env.getFilter !== 'function'
  ) {
    throw new ConfigError('env', `expected a Nunjucks Environment (nunjucks.configure(…)), got ${String(env)}`);
  }
  let markSafe: MarkSafe;
  try {
    // The built-in `safe` filter wraps in this environment's own SafeString class, so no Nunjucks import.
    const safe = env.getFilter('safe');
    if (typeof safe !== 'function') throw new TypeError('no safe filter');
    markSafe = safe as MarkSafe;
  } catch (error) {
    throw new ConfigError('env', 'expected a Nunjucks Environment with its built-in `safe` filter', { cause: error });
  }
  const helpers = createTemplateHelpers(options);
  const { contextKey, nonceKey } = helpers;

  const extension = {
    tags: ['proctor'],
    parse(parser: NunjucksParser, nodes: NunjucksNodes, lexer: NunjucksLexer): unknown {
      const tag = parser.nextToken();
      const args = parser.parseSignature(null, true);
      parser.advanceAfterBlockEnd(tag.value);
      const body = parser.parseUntilBlocks('else', 'endproctor');
      let otherwise: unknown = null;
      if (parser.skipSymbol('else')) {
        parser.skip(lexer.TOKEN_BLOCK_END);
        otherwise = parser.parseUntilBlocks('endproctor');
      }
      parser.advanceAfterBlockEnd();
      return new nodes.CallExtension(this, 'run', args, [body, otherwise]);
    },
    run(context: unknown, ...rest: unknown[]): unknown {
      // Nunjucks appends the content functions (body, else or null) after the tag arguments.
      const otherwise = rest.pop() as Body;
      const body = rest.pop() as Body;
      const [test, ...groups] = splitKeywords(rest).positional;
      const branch = helpers.matches(lookup(context, contextKey), test, groups) ? body : otherwise;
      // The branch is already rendered (and escaped) template output: mark it safe or it is escaped twice.
      return markSafe(branch === null ? '' : branch());
    },
  };
  env.addExtension('ProctorExtension', extension);

  // The same function as a filter (`'test' | procPayload('fallback')`) and as a global call.
  const procPayload = function procPayload(this: unknown, test: unknown, ...rest: unknown[]): unknown {
    return payloadCall(helpers, this, test, rest);
  };
  env.addFilter('procPayload', procPayload);
  env.addGlobal('procPayload', procPayload);
  env.addGlobal('proctor', function proctorGlobal(this: unknown, test: unknown, ...groups: unknown[]) {
    return helpers.matches(lookup(this, contextKey), test, splitKeywords(groups).positional);
  });
  env.addGlobal('procScript', function procScriptGlobal(this: unknown, ...args: unknown[]) {
    const { positional, keywords } = splitKeywords(args);
    const call = splitScriptArgs(positional);
    const html = helpers.script(lookup(this, contextKey), lookup(this, nonceKey), { tests: call.tests, named: { ...call.named, ...keywords } });
    return markSafe(html);
  });
  return env;
}
