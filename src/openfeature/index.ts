/**
 * `proctor-node/openfeature`: an OpenFeature server provider (`@openfeature/server-sdk` 1.x) over any
 * proctor-node source. Flag key = test name; see {@link proctorProvider}.
 */
export { proctorProvider } from './provider.js';
export type { ProctorProvider, ProctorProviderOptions, ProctorRequestParts, ProviderAssignment } from './provider.js';
