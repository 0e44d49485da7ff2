/**
 * `procScript` and its serialiser: engine-agnostic, no template engine or framework needed.
 */
export { procScript, procScriptData } from './proc-script.js';
export { escapeAttribute, serializeForScript } from './serialize.js';
export { isUsableGlobalName } from './identifier.js';
