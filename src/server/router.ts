/**
 * The endpoints of Pipet's `RestController` (spec §5.3) as one function from a request to a response: the
 * request target split into path and query, Spring's matching (trailing slash, path before method, OPTIONS,
 * 405), and each endpoint's answer. Bodies that change only with the matrix are encoded once per matrix.
 */
import type { IncomingMessage } from 'node:http';
import type { CompiledTest } from '../matrix/compiled.js';
import type { ResolvedPipetConfig } from './config.js';
import { DEFINITION_PREFIX, EMPTY_BODY, isEndpoint, METHOD_NOT_ALLOWED_ALLOW, OPTIONS_ALLOW, readHeader } from './http-edges.js';
import { identify } from './identify.js';
import { writeJson } from './json-writer.js';
import { auditTree, definitionTree, writeMatrix } from './matrix-json.js';
import type { LoadedMatrix, MatrixStore } from './matrix-store.js';
import { parseQuery } from './query.js';
import { envelopeAround, errorEnvelope, okEnvelope } from './responses.js';
import type { PipetResponse } from './responses.js';

/** What the endpoints read: the matrix in service and the settings that shape the answers. */
export interface RouterSettings {
  readonly store: MatrixStore;
  readonly config: ResolvedPipetConfig;
  readonly identifyAllDisabled: boolean;
  readonly maxQueryLength: number;
}

function configContextData(config: ResolvedPipetConfig): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const v of config.context) {
    out[v.name] = {
      source: v.source,
      sourceKey: v.sourceKey,
      type: v.converter.javaType,
      ...(v.defaultValue === null ? {} : { defaultValue: v.defaultValue }),
    };
  }
  return out;
}

function configIdentifiersData(config: ResolvedPipetConfig): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const id of config.identifiers) out[id.name] = { source: id.source, sourceKey: id.sourceKey };
  return out;
}

/** The server's request → response function; never throws for a well-formed matrix store. */
export function createRouter({ store, config, identifyAllDisabled, maxQueryLength }: RouterSettings): (req: IncomingMessage) => PipetResponse {
  const encoded = (response: PipetResponse): PipetResponse => ({ ...response, body: Buffer.from(response.body) });
  const contextBody = encoded(okEnvelope(configContextData(config)));
  const identifiersBody = encoded(okEnvelope(configIdentifiersData(config)));
  const settings = { config, identifyAllDisabled };
  // Bodies that only change with the matrix, encoded once.
  const matrixBodies = new WeakMap<LoadedMatrix, Buffer>();
  const definitionBodies = new WeakMap<CompiledTest, Buffer>();

  function unavailable(): PipetResponse {
    return errorEnvelope(500, `Could not get Proctor from loader: ${store.lastError ?? 'no test matrix loaded'}`);
  }

function route(req: IncomingMessage): PipetResponse {
  const target = req.url ?? '/';
  let path: string;
  let query: string | null;
  if (target.charCodeAt(0) === 47) {
    const q = target.indexOf('?');
    path = q === -1 ? target : target.slice(0, q);
    query = q === -1 ? null : target.slice(q + 1);
  } else {
    // Absolute-form request target (`GET http://host/path`), legal towards proxies.
    try {
      const url = new URL(target);
      path = url.pathname;
      query = url.search === '' ? null : url.search.slice(1);
    } catch {
      return errorEnvelope(400, 'Malformed request target.');
    }
  }
  // Spring's trailing-slash matching: `/groups/identify/` is `/groups/identify`.
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 47) path = path.slice(0, -1);
  // Spring finds the handler by path first: an unknown path is a 404 whatever the method; a known one
  // answers OPTIONS itself and refuses the other methods with a 405.
  if (!isEndpoint(path)) return errorEnvelope(404, `No endpoint ${req.method ?? 'GET'} ${path}`);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') return { status: 200, body: EMPTY_BODY, contentType: null, headers: { allow: OPTIONS_ALLOW } };
  if (method !== 'GET' && method !== 'HEAD') {
    return errorEnvelope(405, `Request method '${method}' not supported`, { allow: METHOD_NOT_ALLOWED_ALLOW });
  }

  switch (path) {
    case '/groups/identify': {
      const loaded = store.current;
      if (loaded === null) return unavailable();
      if (query !== null && query.length > maxQueryLength) {
        return errorEnvelope(400, `Query string too long: ${query.length} characters (limit ${maxQueryLength}).`);
      }
      return identify(loaded, parseQuery(query), (name) => readHeader(req, name), settings);
    }
    case '/proctor/matrix': {
      const loaded = store.current;
      if (loaded === null) return unavailable();
      let body = matrixBodies.get(loaded);
      if (body === undefined) {
        body = Buffer.from(writeMatrix(loaded.proctor.loadResult.matrix));
        matrixBodies.set(loaded, body);
      }
      return { status: 200, body };
    }
    case '/proctor/matrix/audit': {
      const loaded = store.current;
      // Pipet answers with its loader's last audit, null before any load.
      return { status: 200, body: envelopeAround(loaded === null ? 'null' : writeJson(auditTree(loaded.audit), { level: 1 })) };
    }
    case '/config/context':
      return contextBody;
    case '/config/identifiers':
      return identifiersBody;
    case '/health': {
      const loaded = store.current;
      return loaded === null
        ? { status: 503, body: JSON.stringify({ status: 'unavailable', matrixVersion: null, error: store.lastError }) }
        : { status: 200, body: JSON.stringify({ status: 'ok', matrixVersion: loaded.version }) };
    }
    default:
      break;
  }
  const prefix = DEFINITION_PREFIX;
  if (path.startsWith(prefix)) {
    const loaded = store.current;
    if (loaded === null) return unavailable();
    let testName: string;
    try {
      testName = decodeURIComponent(path.slice(prefix.length));
    } catch {
      return errorEnvelope(400, `Malformed percent-encoding in test name '${path.slice(prefix.length)}'.`);
    }
    const test = loaded.proctor.loadResult.matrix.tests.get(testName);
    if (test === undefined) return errorEnvelope(404, `'${testName}' test definition not found in test matrix.`);
    let body = definitionBodies.get(test);
    if (body === undefined) {
      body = Buffer.from(envelopeAround(writeJson(definitionTree(test.definition), { level: 1 })));
      definitionBodies.set(test, body);
    }
    return { status: 200, body };
  }
  return errorEnvelope(404, `No endpoint ${method} ${path}`);
}

  return route;
}
