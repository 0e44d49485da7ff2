/**
 * Java's number types from a matrix's JSON text to every output (spec §1.7, §5.3): Jackson reads `120.0` and
 * `1e3` in a `map` or `json` payload as Doubles and writes them back as `120.0` and `1000.0`, while `120` stays
 * an Integer, written `120`. Pipet's envelope writes Doubles with `Double.toString` (`1.0E10`), its
 * `/proctor/matrix` with Proctor's `DecimalFormat("0.0")` (`10000000000.0`) except inside `json` payloads
 * (a `JsonNode`, `Double.toString` again). Pipet's `int` context values are Integers, which
 * `proctor:inRange(age, 18, 65)` cannot compare with the Long literals (ClassCastException → unassigned).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipetServer } from '../../src/server/index.js';
import type { PipetServer } from '../../src/server/index.js';
import { runCli, tempDir } from '../support/cli.js';

const MATRIX = `{
  "audit": {"version": "5", "updated": 0, "updatedBy": "t"},
  "tests": {
    "maptst": {"testType": "USER", "salt": "maptst", "constants": {"RATE": 2.0, "MIN": 18},
      "buckets": [{"name": "off", "value": 0, "payload": {"map": {"price": 1.5}}},
                  {"name": "on", "value": 1, "payload": {"map": {"price": 120.0, "count": 120, "big": 1e10, "k": 1e3, "list": [1.0, 2]}}}],
      "allocations": [{"id": "#A1", "ranges": [{"bucketValue": 1, "length": 1.0}]}]},
    "jsontst": {"testType": "USER", "salt": "jsontst",
      "buckets": [{"name": "on", "value": 1, "payload": {"json": {"a": 120.0, "b": [1e3, 7], "c": {"d": 2.0}, "e": 1e10}}}],
      "allocations": [{"id": "#A1", "ranges": [{"bucketValue": 1, "length": 1}]}]},
    "rootjsontst": {"testType": "USER", "salt": "rootjsontst",
      "buckets": [{"name": "on", "value": 1, "payload": {"json": 2.0}}],
      "allocations": [{"id": "#A1", "ranges": [{"bucketValue": 1, "length": 1}]}]},
    "agetst": {"testType": "USER", "salt": "agetst",
      "buckets": [{"name": "on", "value": 1}],
      "allocations": [{"id": "#A1", "rule": "\${proctor:inRange(age, 18, 65)}", "ranges": [{"bucketValue": 1, "length": 1}]}]},
    "sumtst": {"testType": "USER", "salt": "sumtst",
      "buckets": [{"name": "on", "value": 1}],
      "allocations": [{"id": "#A1", "rule": "\${proctor:inRange(age + 0, 18, 65)}", "ranges": [{"bucketValue": 1, "length": 1}]}]}
  }
}`;

let dir: string;
let matrixFile: string;
const servers: PipetServer[] = [];

async function serve(ageType: string): Promise<string> {
  const config = { context: { age: { type: ageType } }, identifiers: { USER: {} } };
  const pipet = createPipetServer({ matrix: matrixFile, config, port: 0, reloadSeconds: 0 });
  servers.push(pipet);
  return (await pipet.listen()).url;
}

beforeAll(() => {
  dir = tempDir();
  matrixFile = path.join(dir, 'matrix.json');
  writeFileSync(matrixFile, MATRIX);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('proctor-node serve', () => {
  it('/groups/identify writes the payloads\' Doubles as Double.toString, integers as integers', async () => {
    const url = await serve('int');
    const text = await (await fetch(`${url}/groups/identify?id.USER=u1&ctx.age=30&test=maptst,jsontst,rootjsontst`)).text();
    expect(text).toContain('"map" : {\n            "price" : 120.0,\n            "count" : 120,\n            "big" : 1.0E10,\n            "k" : 1000.0,\n            "list" : [ 1.0, 2 ]\n          }');
    expect(text).toContain('"a" : 120.0');
    expect(text).toContain('"b" : [ 1000.0, 7 ]');
    expect(text).toContain('"d" : 2.0');
    expect(text).toContain('"json" : 2.0');
  });

  it('/proctor/matrix writes them with DecimalFormat("0.0"), json payloads with Double.toString', async () => {
    const url = await serve('int');
    const text = await (await fetch(`${url}/proctor/matrix`)).text();
    expect(text).toContain('"RATE" : 2.0');
    expect(text).toContain('"MIN" : 18');
    expect(text).toContain('"price" : 120.0,');
    expect(text).toContain('"count" : 120,');
    expect(text).toContain('"big" : 10000000000.0,');
    expect(text).toContain('"list" : [ 1.0, 2 ]');
    expect(text).toContain('"e" : 1.0E10');
    expect(text).toContain('"json" : 2.0');
  });

  it('/proctor/matrix/definition/{test} writes them in the envelope', async () => {
    const url = await serve('int');
    const text = await (await fetch(`${url}/proctor/matrix/definition/maptst`)).text();
    expect(text).toContain('"RATE" : 2.0');
    expect(text).toContain('"price" : 120.0,');
    expect(text).toContain('"count" : 120,');
    expect(text).toContain('"big" : 1.0E10,');
  });

  it('an int context value is an Integer: inRange with Long literals fails, a long one passes', async () => {
    const asInt = await serve('int');
    const asLong = await serve('long');
    const groups = async (url: string): Promise<Record<string, unknown>> => {
      const body = (await (await fetch(`${url}/groups/identify?id.USER=u1&ctx.age=30&test=agetst`)).json()) as { data: { groups: Record<string, unknown>; context: unknown } };
      expect(body.data.context).toEqual({ age: 30 });
      return body.data.groups;
    };
    expect(await groups(asInt)).toEqual({});
    expect(Object.keys(await groups(asLong))).toEqual(['agetst']);
  });
});

describe('proctor-node assign and explain --json', () => {
  it('assign writes the payloads as Jackson does, and reads the context as Jackson does', () => {
    const requests = [
      { identifiers: { USER: 'u1' }, context: { age: 30 }, tests: ['maptst', 'jsontst', 'agetst'] },
      { identifiers: { USER: 'u1' }, context: { age: 30 }, tests: ['sumtst'] },
    ];
    const r = runCli(['assign', '--matrix', matrixFile], `${requests.map((q) => JSON.stringify(q)).join('\n')}\n`);
    expect(r.code).toBe(0);
    const [first, second] = r.stdout.trim().split('\n');
    expect(first).toContain('"payload":{"map":{"price":120.0,"count":120,"big":1.0E10,"k":1000.0,"list":[1.0,2]}}');
    expect(first).toContain('"payload":{"json":{"a":120.0,"b":[1000.0,7],"c":{"d":2.0},"e":1.0E10}}');
    // `30` in the request is an Integer (Jackson), so inRange with Long literals fails; `age + 0` is a Long.
    expect(first).not.toContain('agetst');
    expect(second).toContain('"sumtst":{"name":"on"');
  });

  it('explain --json writes the payload as Jackson does', () => {
    const r = runCli(['explain', '--matrix', matrixFile, '--test', 'maptst', '--id', 'USER=u1', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"price": 120.0,');
    expect(r.stdout).toContain('"count": 120,');
    expect(JSON.parse(r.stdout)).toMatchObject({ result: { name: 'on', payload: { map: { price: 120, count: 120 } } } });
  });

  it('explain reads --ctx numbers as Jackson does: age=30 is an Integer', () => {
    const explain = (test: string): { result: unknown; allocations: { verdict: unknown }[] } =>
      JSON.parse(runCli(['explain', '--matrix', matrixFile, '--test', test, '--id', 'USER=u1', '--ctx', 'age=30', '--json']).stdout) as {
        result: unknown;
        allocations: { verdict: unknown }[];
      };
    const failing = explain('agetst');
    expect(failing.result).toBeNull();
    expect(failing.allocations[0]?.verdict).toMatchObject({ error: expect.stringContaining('Problems calling function [proctor:inRange]') as unknown });
    expect(explain('sumtst').result).not.toBeNull();
  });
});
