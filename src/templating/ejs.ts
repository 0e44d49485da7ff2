/**
 * `proctor-node/ejs`: `proctor(test, ...groups)`, `procPayload(test, fallback, index?)` and
 * `procScript(...tests, options?)` as plain functions in EJS templates. EJS has no helper registry: functions
 * travel in the render data, and EJS copies the data into every `include()`, so partials get them too. The
 * functions look `proc` up in that data when called, so they always see the current request's `proc`.
 * EJS is never imported here.
 */
import { ConfigError } from '../errors.js';
import type { ProcScriptMode } from './script/proc-script.js';
import { createTemplateHelpers, splitScriptArgs } from './shared.js';
import type { ProctorTemplateOptions, TemplateHelpers } from './shared.js';

export { procPayload, proctorMatches } from './shared.js';
export type { ProctorTemplateOptions } from './shared.js';
export { procScript } from './script/proc-script.js';
export type { ProcScriptOptions } from './script/proc-script.js';

/** Per-call options of `procScript` in a template (the last argument). */
export interface ProcScriptCallOptions {
  /** @default the `script.mode` option, else 'global' */
  readonly mode?: ProcScriptMode;
  /** @default the `script.name` option, else 'proc' */
  readonly name?: string;
  /** @default the `script.id` option, else 'proc-data' */
  readonly id?: string;
  /** @default the `cspNonce` template variable (see the `nonceKey` option) */
  readonly nonce?: string;
}

/** The functions EJS templates get. */
export interface EjsProctorHelpers {
  /** True when the user's bucket for `test` is one of `groups` (names, or values as numbers/numeric strings). */
  proctor(test: string, ...groups: ReadonlyArray<string | number | ReadonlyArray<string | number>>): boolean;
  /** The payload, or `fallback` when null/undefined; with `index`, `payload[index]` (array) or a map member. */
  procPayload(test: string, fallback?: unknown, index?: number | string): unknown;
  /** The `<script>` element: output it unescaped, `<%- procScript('buttoncolortst') %>`. */
  procScript(...args: ReadonlyArray<string | readonly string[] | ProcScriptCallOptions>): string;
}

/** The parts of a response used: Express's `res.locals`, or Fastify's `reply.locals` (structural: no framework import). */
export interface LocalsResponse {
  locals?: object | null;
}

/** An Express app or router: anything with `use(middleware)`. */
export interface UsesMiddleware {
  use(middleware: (req: unknown, res: LocalsResponse, next: () => void) => void): unknown;
}

/**
 * The value of `key` for a helper call: from `self` when it is the render data, else from `data`. EJS runs a
 * template inside `with (locals)`, so a helper called as `procScript()` gets the render data as `this`: under
 * Express that is `res.locals` merged with `res.render`'s data, so `res.render('page', { cspNonce })` reaches
 * the helpers as it does in Nunjucks and Handlebars. A call without that receiver (a helper taken into a
 * variable, `destructuredLocals`) reads the data the helpers were bound to, if any.
 */
function lookup(self: unknown, data: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  if (typeof self === 'object' && self !== null && self !== globalThis && key in self) return (self as Record<string, unknown>)[key];
  return data?.[key];
}

/** The functions, bound to `data` when given (`proctorData`), else reading only the data they are called on. */
function bind(helpers: TemplateHelpers, data?: Readonly<Record<string, unknown>>): EjsProctorHelpers {
  const { contextKey, nonceKey } = helpers;
  return {
    proctor(this: unknown, test, ...groups) {
      return helpers.matches(lookup(this, data, contextKey), test, groups);
    },
    procPayload(this: unknown, test, fallback, index) {
      return helpers.payload(lookup(this, data, contextKey), test, fallback, index);
    },
    procScript(this: unknown, ...args) {
      return helpers.script(lookup(this, data, contextKey), lookup(this, data, nonceKey), splitScriptArgs(args));
    },
  };
}

/**
 * The three functions, made once, for any framework's render data: they read `proc` from the data EJS calls
 * them on (`this`). Koa with `@ladjs/koa-views` renders `ctx.state`:
 * @example
 * const functions = proctorFunctions();
 * app.use((ctx, next) => { Object.assign(ctx.state, functions); return next(); });
 */
export function proctorFunctions(options: ProctorTemplateOptions = {}): EjsProctorHelpers {
  return bind(createTemplateHelpers(options));
}

/**
 * Express middleware that puts `proctor`, `procPayload` and `procScript` in `res.locals`, so every EJS view
 * rendered with `res.render` (and every partial it includes) has them. They read `proc` from the render data
 * EJS calls them on (`this`: see `lookup`), so this may be mounted before or after the proctor middleware,
 * but before the routes. The three functions are made once: a request costs three stores into `res.locals`.
 * Called without that receiver (EJS's `destructuredLocals`), they find no `proc` (a warning, then the
 * fallback): call them as `locals.procScript(…)` there, or render with {@link proctorData}.
 * @param options - see {@link ProctorTemplateOptions}. @default {}
 * @example
 * app.use(proctor({ source, tests, getIdentifiers }));
 * app.use(proctorLocals());
 */
export function proctorLocals(options: ProctorTemplateOptions = {}): (req: unknown, res: object, next: () => void) => void {
  const { proctor, procPayload, procScript } = proctorFunctions(options);
  return function proctorEjsLocals(_req, res, next) {
    // Express always has `res.locals`; Fastify's `reply.locals` is made by whoever first needs it.
    const response = res as LocalsResponse;
    const locals = (response.locals ??= {}) as Record<string, unknown>;
    locals.proctor = proctor;
    locals.procPayload = procPayload;
    locals.procScript = procScript;
    next();
  };
}

/**
 * Make the EJS functions available to every `res.render` of an Express app or router: `app.use(proctorLocals(options))`.
 * Call it before defining routes. In templates:
 * `<% if (proctor('buttoncolortst', 'blue')) { %>…<% } %>`, `<%= procPayload('buttontexttst', 'Sign Up') %>`,
 * `<%= procPayload('countryalgotst', 2, 0) %>` (element 0, or 2), `<%- procScript('buttoncolortst') %>`
 * (`<%-`: it is HTML, already safe), `<%= proc.buttoncolortst.group %>`. Unknown tests take the false branch /
 * fallback.
 * @param app - an Express app or router.
 * @param options - see {@link ProctorTemplateOptions}. @default {}
 * @returns `app`, for chaining.
 */
export function registerProctor<A extends UsesMiddleware>(app: A, options: ProctorTemplateOptions = {}): A {
  if (app === null || (typeof app !== 'object' && typeof app !== 'function') || typeof app.use !== 'function') {
    throw new ConfigError('app', `expected an Express app or router, got ${String(app)}`);
  }
  app.use(proctorLocals(options));
  return app;
}

/**
 * Render data for a direct `ejs.render` / `ejs.renderFile` call: a copy of `data` plus the three functions,
 * bound to `data.proc` (a `proc` or its template view).
 * @param data - the render data; holds the `proc` under `contextKey` (and the nonce under `nonceKey`).
 * @param options - see {@link ProctorTemplateOptions}. @default {}
 * @example
 * ejs.render(template, proctorData({ proc: req.proc, user }));
 */
export function proctorData<D extends object>(data: D, options?: ProctorTemplateOptions): D & EjsProctorHelpers {
  if (typeof data !== 'object' || data === null) throw new ConfigError('data', `expected the render data object, got ${String(data)}`);
  // Without options, one shared set of helpers (validated once, logging each unknown name once).
  const helpers = options === undefined ? (defaultHelpers ??= createTemplateHelpers()) : createTemplateHelpers(options);
  const copy = { ...data } as D & Record<string, unknown>;
  return Object.assign(copy, bind(helpers, copy));
}

let defaultHelpers: TemplateHelpers | undefined;
