/**
 * Pipet's response envelope (spec §5.3): `{"data": …, "meta": {"status": …, "error"?: …}}`, pretty-printed by
 * Jackson, with `data: {}` on errors and the HTTP status equal to `meta.status`.
 */
import { indent, jsonString, writeJson } from './json-writer.js';

/** A response ready to send. */
export interface PipetResponse {
  readonly status: number;
  readonly body: string;
  /** @default 'application/json;charset=UTF-8' */
  readonly contentType?: string;
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
