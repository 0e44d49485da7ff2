/**
 * `proctor-node/server`: a Pipet-compatible REST service (spec §5) for apps that ask a central server for
 * their groups, e.g. django-proctor.
 */
export { createPipetServer } from './server.js';
export type { PipetServer, PipetServerOptions } from './server.js';
export { parsePipetConfig } from './config.js';
export type {
  ContextVariable,
  IdentifierVariable,
  ParsePipetConfigOptions,
  PipetConfig,
  PipetContextVariableConfig,
  PipetVariableConfig,
  ResolvedPipetConfig,
  ValueSource,
} from './config.js';
export { BrowserVersion, parseUserAgent, USER_AGENT_CLASS, UserAgent, UserAgentVersion, VersionedOS } from './user-agent.js';
export type { DeviceType, UserAgentJson } from './user-agent.js';
