/**
 * `proctor-node/handlebars`: the `proctor` block helper and the `procPayload` / `procScript` helpers, for a
 * plain Handlebars instance or an express-handlebars instance. Handlebars is never imported here: the
 * safe-string class comes from the instance passed in.
 */
import { ConfigError } from '../errors.js';
import { createTemplateHelpers, splitScriptArgs } from './shared.js';
import type { ProctorTemplateOptions, TemplateHelpers } from './shared.js';

export { procPayload, proctorMatches } from './shared.js';
export type { ProctorTemplateOptions } from './shared.js';
export { procScript } from './script/proc-script.js';
export type { ProcScriptOptions } from './script/proc-script.js';

/** A Handlebars helper as Handlebars calls it: `this` is the current context, `options` comes last. */
export type HandlebarsHelper = (this: unknown, ...args: unknown[]) => unknown;

/** The parts of a Handlebars instance the plugin uses (`import Handlebars from 'handlebars'` or `Handlebars.create()`). */
export interface HandlebarsLike {
  registerHelper(name: string, helper: HandlebarsHelper): void;
  SafeString: new (html: string) => unknown;
}

/** The parts of an express-handlebars instance (`create(…)` from express-handlebars) the plugin uses. */
export interface ExpressHandlebarsLike {
  /** The Handlebars instance it compiles with (typed loosely by express-handlebars; checked at run time). */
  handlebars: object;
  helpers?: Record<string, unknown> | undefined;
  engine: (...args: never[]) => unknown;
}

/** The last argument Handlebars passes to every helper. */
interface HelperOptions {
  readonly hash?: Record<string, unknown>;
  readonly data?: { readonly root?: unknown };
  readonly fn?: (context: unknown) => string;
  readonly inverse?: (context: unknown) => string;
}

function isHandlebars(value: unknown): value is HandlebarsLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HandlebarsLike).registerHelper === 'function' &&
    typeof (value as HandlebarsLike).SafeString === 'function'
  );
}

function isExpressHandlebars(value: unknown): value is ExpressHandlebarsLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    isHandlebars((value as ExpressHandlebarsLike).handlebars) &&
    typeof (value as ExpressHandlebarsLike).engine === 'function'
  );
}

/** Separate Handlebars' trailing options object from the template's arguments. */
function split(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  const last = args[args.length - 1];
  if (typeof last === 'object' && last !== null && 'hash' in last) return { params: args.slice(0, -1), options: last as HelperOptions };
  return { params: args, options: {} };
}

/** The root template context (`@root`): where `res.locals` / the render data live, even inside `{{#each}}` and partials. */
function rootOf(self: unknown, options: HelperOptions): Record<string, unknown> | undefined {
  const root = options.data?.root ?? self;
  return typeof root === 'object' && root !== null ? (root as Record<string, unknown>) : undefined;
}

function buildHelpers(hbs: HandlebarsLike, helpers: TemplateHelpers): Record<string, HandlebarsHelper> {
  const { contextKey, nonceKey } = helpers;
  return {
    proctor(this: unknown, ...args: unknown[]): unknown {
      const { params, options } = split(args);
      const [test, ...groups] = params;
      const matched = helpers.matches(rootOf(this, options)?.[contextKey], test, groups);
      // Used as a subexpression, `(proctor 'test' 'blue')`, it is a plain boolean for `{{#if}}`.
      if (typeof options.fn !== 'function') return matched;
      if (matched) return options.fn(this);
      return typeof options.inverse === 'function' ? options.inverse(this) : '';
    },
    procPayload(this: unknown, ...args: unknown[]): unknown {
      const { params, options } = split(args);
      const hash = options.hash ?? {};
      const [test, fallback, index] = params;
      return helpers.payload(
        rootOf(this, options)?.[contextKey],
        test,
        'fallback' in hash ? hash.fallback : fallback,
        'index' in hash ? hash.index : index,
      );
    },
    procScript(this: unknown, ...args: unknown[]): unknown {
      const { params, options } = split(args);
      const root = rootOf(this, options);
      const call = splitScriptArgs(params);
      const html = helpers.script(root?.[contextKey], root?.[nonceKey], { tests: call.tests, named: { ...call.named, ...options.hash } });
      return new hbs.SafeString(html);
    },
  };
}

/**
 * The Proctor helpers as an object, for `engine({ helpers: proctorHelpers(Handlebars) })` or
 * `hbs.compile(tpl)(data, { helpers })`. See {@link registerProctor} for what each does.
 * @param hbs - the Handlebars instance whose `SafeString` class to use.
 * @param options - see {@link ProctorTemplateOptions}. @default {}
 */
export function proctorHelpers(hbs: HandlebarsLike, options: ProctorTemplateOptions = {}): Record<string, HandlebarsHelper> {
  if (!isHandlebars(hbs)) throw new ConfigError('hbs', `expected a Handlebars instance (import Handlebars from 'handlebars'), got ${String(hbs)}`);
  return buildHelpers(hbs, createTemplateHelpers(options));
}

/**
 * Add Proctor helpers to Handlebars:
 *
 * - block helper `{{#proctor 'buttoncolortst' 'blue' 'green'}}…{{else}}…{{/proctor}}`: the block when the
 *   user's bucket is one of the names (or values: `1`, `'1'`) listed, the else block otherwise (unassigned
 *   and unknown tests included). As a subexpression it is a boolean: `{{#if (proctor 'buttoncolortst' 'blue')}}`.
 * - `{{procPayload 'buttontexttst' 'Sign Up'}}`: the payload, or the fallback when it is null/undefined,
 *   escaped as usual. Array/map element as third argument: `{{procPayload 'countryalgotst' 2 0}}` is
 *   `payload[0]` or `2`; or by name: `{{procPayload 'countryalgotst' fallback=2 index=0}}`.
 * - `{{{procScript 'buttoncolortst' 'buttontexttst'}}}`: the `<script>` of `procScript` as a `SafeString`
 *   (so `{{procScript …}}` outputs the same; triple braces just say what it is). No names: all configured
 *   tests. Hash `name=`, `mode=`, `id=`, `nonce=` override defaults; the nonce defaults to `@root.cspNonce`.
 *
 * Helpers read `proc` from the root context (`@root.proc`), so they work inside `{{#each}}`, partials and
 * layouts. `{{proc.buttoncolortst.group}}` works under Handlebars' default prototype-access rules when
 * `proc` is the template view (`res.locals.proc` from the middleware, or `proc.templateView()`); pass the
 * view, not `req.proc`, to `template({ proc })`.
 *
 * With express-handlebars, pass the instance from `create()` (the helpers go into its `helpers`, not into
 * the global Handlebars); with plain Handlebars, they are registered on that instance.
 *
 * @param hbs - a Handlebars instance, or an express-handlebars instance.
 * @param options - see {@link ProctorTemplateOptions}. @default {}
 * @returns `hbs`, for chaining.
 * @example
 * const hbs = create({ extname: '.hbs' });
 * registerProctor(hbs);
 * app.engine('hbs', hbs.engine);
 */
export function registerProctor<H extends HandlebarsLike | ExpressHandlebarsLike>(hbs: H, options: ProctorTemplateOptions = {}): H {
  if (isExpressHandlebars(hbs)) {
    const helpers = proctorHelpers(hbs.handlebars as HandlebarsLike, options);
    // express-handlebars merges `this.helpers` into every render: instance-scoped, unlike registerHelper.
    hbs.helpers = { ...hbs.helpers, ...helpers };
    return hbs;
  }
  if (isHandlebars(hbs)) {
    const helpers = proctorHelpers(hbs, options);
    for (const [name, helper] of Object.entries(helpers)) hbs.registerHelper(name, helper);
    return hbs;
  }
  throw new ConfigError('hbs', `expected a Handlebars or express-handlebars instance, got ${String(hbs)}`);
}
