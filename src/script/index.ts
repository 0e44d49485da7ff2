/**
 * `procScript` and its serialiser: engine-agnostic, no template engine or framework needed.
 */
export { procScript, procScriptData, validateProcScriptOptions, PROC_SCRIPT_OPTION_NAMES } from './proc-script.js';
export type { ProcScriptMode, ProcScriptOptions, ScriptAssignment } from './proc-script.js';
export { escapeAttribute, serializeForScript } from './serialize.js';
export { isUsableGlobalName } from './identifier.js';
