/**
 * The HTTP edges of the Pipet server, as Spring MVC on Tomcat answers them: which paths exist, `OPTIONS` and
 * other methods on them, the first value of a repeated header, and the answers for requests Node refuses
 * before any handler runs (unparseable, too large, too slow), which still get the envelope.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { errorEnvelope } from './responses.js';

export const JSON_TYPE = 'application/json;charset=UTF-8';
/**
 * Spring MVC's answer to `OPTIONS` on a `GET` mapping (`RequestMappingInfoHandlerMapping.HttpOptionsHandler`:
 * the declared methods, HEAD for GET, then OPTIONS, joined by `HttpHeaders.setAllow`), with status 200 and no body.
 */
export const OPTIONS_ALLOW = 'GET,HEAD,OPTIONS';
/**
 * Spring's 405 for another method (`DefaultHandlerExceptionResolver.handleHttpRequestMethodNotSupported`): `Allow`
 * lists the mapping's declared methods, here only GET.
 */
export const METHOD_NOT_ALLOWED_ALLOW = 'GET';
/** Largest request head (request line and headers) Node accepts; beyond it a 431 envelope. */
export const MAX_HEADER_SIZE = 65536;

// Headers for which Node keeps the first of repeated values (`IncomingMessage` discards the others).
const FIRST_VALUE_HEADERS = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer',
  'retry-after', 'server', 'user-agent',
]);

/** First value of a header, as the servlet API's `getHeader` returns it (Node joins most repeated headers). */
export function readHeader(req: IncomingMessage, name: string): string | undefined {
  const joined = req.headers[name];
  if (joined === undefined) return undefined;
  if (typeof joined === 'string' && (FIRST_VALUE_HEADERS.has(name) || !joined.includes(','))) return joined;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === name.length && key.toLowerCase() === name) return raw[i + 1];
  }
  return Array.isArray(joined) ? joined[0] : joined;
}

export const EMPTY_BODY = Buffer.alloc(0);
const ENDPOINTS = new Set(['/groups/identify', '/proctor/matrix', '/proctor/matrix/audit', '/config/context', '/config/identifiers', '/health']);
export const DEFINITION_PREFIX = '/proctor/matrix/definition/';

/** Whether a path (trailing slash removed) is one of the endpoints. */
export function isEndpoint(path: string): boolean {
  return ENDPOINTS.has(path) || (path.startsWith(DEFINITION_PREFIX) && path.length > DEFINITION_PREFIX.length && !path.includes('/', DEFINITION_PREFIX.length));
}

/**
 * Node's `clientError`: unparseable HTTP is a 400, an oversized head a 431, and a client that has not sent its
 * head within the headers timeout a 408, each as an envelope, then the connection is closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return;
  // Unparseable HTTP, an oversized head or a client too slow to send its head still get the envelope
  // instead of Node's bare answers.
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request header fields too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'Request timeout: the request line and headers did not arrive in time.']
        : [400, 'Bad Request', 'Malformed HTTP request.'];
  const { body } = errorEnvelope(status, message);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      `content-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
