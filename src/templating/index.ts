/**
 * Engine-agnostic template helpers. Each engine's plugin has its own entry point (`./nunjucks.js`,
 * `./handlebars.js`, `./ejs.js`) because each exports a `registerProctor` for its engine.
 */
export { createTemplateHelpers, procPayload, proctorMatches, splitScriptArgs } from './shared.js';
