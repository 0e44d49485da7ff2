/**
 * Pipet's response envelope (spec §5.3): `{"data": …, "meta": {"status": …, "error"?: …}}`, pretty-printed by
 * Jackson, with `data: {}` on errors and the HTTP status equal to `meta.status`.
 */
import { jsonString } from '../java/json.js';
import { indent, writeJson } from './json-writer.js';

/** A response ready to send. */
export interface PipetResponse {
  readonly status: number;
  /** Text, or bytes already encoded as UTF-8. */
  readonly body: string | Buffer;
  /** null: no `Content-Type` (an empty body). @default 'application/json;charset=UTF-8' */
  readonly contentType?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Wrap `data` already written at nesting level 1 (see `writeJson`'s `level`). */
export function envelopeAround(dataJson: string, status = 200): string {
  return `{${indent(1)}"data" : ${dataJson},${indent(1)}"meta" : {${indent(2)}"status" : ${status}${indent(1)}}${indent(0)}}`;
}

/** A success envelope around any value. */
export function okEnvelope(data: unknown): PipetResponse {
  return { status: 200, body: envelopeAround(writeJson(data, { level: 1 })) };
}

/** An error envelope: `data` is `{ }`, `meta.error` the message. */
export function errorEnvelope(status: number, message: string, headers?: Readonly<Record<string, string>>): PipetResponse {
  const body =
    `{${indent(1)}"data" : { },${indent(1)}"meta" : {${indent(2)}"status" : ${status},` +
    `${indent(2)}"error" : ${jsonString(message)}${indent(1)}}${indent(0)}}`;
  return headers === undefined ? { status, body } : { status, body, headers };
}

/**
 * Assembles a response body from text and pre-encoded fragments into one buffer. Most of an identify
 * response is cached fragments (groups, user agent, audit); copying bytes is far cheaper than encoding a long
 * concatenated string per request.
 */
export class BodyBuilder {
  readonly #parts: (string | Buffer)[] = [];
  #pending = '';
  #length = 0;

  /** Append text. */
  text(s: string): this {
    this.#pending += s;
    return this;
  }

  /** Append UTF-8 bytes. */
  bytes(b: Buffer): this {
    this.#flush();
    this.#parts.push(b);
    this.#length += b.length;
    return this;
  }

  #flush(): void {
    if (this.#pending === '') return;
    this.#parts.push(this.#pending);
    this.#length += Buffer.byteLength(this.#pending);
    this.#pending = '';
  }

  /** The whole body. */
  toBuffer(): Buffer {
    this.#flush();
    const out = Buffer.allocUnsafe(this.#length);
    let offset = 0;
    for (const part of this.#parts) {
      if (typeof part === 'string') {
        offset += out.write(part, offset);
      } else {
        // TypedArray#set: cheaper than Buffer#copy for the many small fragments of a response.
        out.set(part, offset);
        offset += part.length;
      }
    }
    return out;
  }
}
