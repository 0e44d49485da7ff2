/**
 * What a rule can call on the objects an application passes in its context (README, "Force groups and
 * security"): the documented Java methods of strings, lists, maps and sets, and the methods and getters of a
 * context object's own class and its superclasses up to the first built-in one. Node's own objects (streams,
 * HTTP messages, any EventEmitter, EventTarget, Buffer, URL…) show rules their own data fields only: before,
 * `${req.destroy() != null}` destroyed the request. The HTTP half of this suite, with a real
 * `http.IncomingMessage`, is test/integration/hostile-context.test.ts.
 */
import { EventEmitter } from 'node:events';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RuleEvaluationError } from '../../src/errors.js';
import { compileRule } from '../../src/rules/index.js';
import { PLATFORM_GLOBALS } from '../../src/rules/beans.js';

function outcome(rule: string, context: Record<string, unknown>): boolean | string {
  try {
    return compileRule(rule).evaluate({ constants: {}, context });
  } catch (error) {
    expect(error, rule).toBeInstanceOf(RuleEvaluationError);
    return (error as Error).message;
  }
}

/** A class of the application's, with a superclass of its own: what rules may use. */
class Base {
  getTier(): string {
    return 'gold';
  }
  inRegion(region: string): boolean {
    return region === 'EU';
  }
}
class Member extends Base {
  readonly id = 7;
  isVip(): boolean {
    return true;
  }
  get since(): number {
    return 2020;
  }
}

/** An application class built on EventEmitter: its own methods are not reachable either (documented). */
class Session extends EventEmitter {
  isVip(): boolean {
    return true;
  }
}

describe('Node objects in the context show rules their own data fields only', () => {
  it('an EventEmitter: emit, on, removeAllListeners, listenerCount are not methods for rules', () => {
    const emitter = new EventEmitter();
    let heard = 0;
    emitter.on('x', () => heard++);
    for (const rule of [
      "${e.emit('x') == true}",
      "${e.on('y', e) != null}",
      '${e.removeAllListeners() != null}',
      "${e.listenerCount('x') == 1}",
      '${e.setMaxListeners(0) != null}',
      '${e.eventNames() != null}',
    ]) {
      expect(outcome(rule, { e: emitter }), rule).toMatch(/^javax\.el\.MethodNotFoundException: Method not found: EventEmitter\./);
    }
    expect(heard).toBe(0);
    expect(emitter.listenerCount('x')).toBe(1);
    expect(emitter.eventNames()).toEqual(['x']);
  });

  it('streams: a Readable is neither read, paused, piped nor destroyed; a Writable is not written or ended', async () => {
    const readable = Readable.from(['a', 'b']);
    const chunks: string[] = [];
    const writable = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const through = new PassThrough();
    const context = { r: readable, w: writable, t: through };
    for (const rule of [
      '${r.destroy() != null}',
      '${r.read() == null}',
      '${r.pause() != null}',
      '${r.pipe(w) != null}',
      "${r.push('x')}",
      "${w.write('x')}",
      "${w.end('x') != null}",
      '${w.destroy() != null}',
      "${t.write('x')}",
      '${t.resume() != null}',
      '${r.readable}',
      '${r.destroyed == false}',
      '${w.writableEnded == false}',
    ]) {
      expect(outcome(rule, context), rule).toMatch(/^javax\.el\.(MethodNotFoundException|PropertyNotFoundException): /);
    }
    expect(readable.destroyed).toBe(false);
    expect(writable.destroyed || writable.writableEnded).toBe(false);
    const read: string[] = [];
    for await (const chunk of readable) read.push(String(chunk));
    expect(read).toEqual(['a', 'b']);
    expect(chunks).toEqual([]);
  });

  it('Buffer, URL, URLSearchParams, AbortController, EventTarget, Headers: no method mutates them', () => {
    const buf = Buffer.from('abc');
    const url = new URL('https://example.com/a?b=1');
    const params = new URLSearchParams('a=1');
    const controller = new AbortController();
    const target = new EventTarget();
    const headers = new Headers({ a: '1' });
    const context = { buf, url, params, controller, target, headers, listener: () => true };
    for (const rule of [
      '${buf.fill(0) != null}',
      "${buf.write('zzz') == 3}",
      "${buf.toString() == 'abc'}",
      "${params.append('b', '2') == null}",
      "${params.delete('a') == null}",
      "${params.get('a') == '1'}",
      "${url.toString() != ''}",
      "${url.href != ''}",
      '${controller.abort() == null}',
      "${target.addEventListener('x', listener) == null}",
      "${headers.set('a', '2') == null}",
    ]) {
      expect(outcome(rule, context), rule).toMatch(/^javax\.el\.(MethodNotFoundException|PropertyNotFoundException): /);
    }
    expect(buf.toString()).toBe('abc');
    expect(params.toString()).toBe('a=1');
    expect(controller.signal.aborted).toBe(false);
    expect(headers.get('a')).toBe('1');
  });

  it("an application class built on EventEmitter gets no methods (its family is Node's)", () => {
    expect(outcome('${s.isVip() == true}', { s: new Session() })).toMatch(/Method not found: Session\.isVip\(\)/);
    expect(outcome('${s.vip}', { s: new Session() })).toMatch(/Property \[vip\] not found on type \[Session\]/);
  });

  it('own data fields of a Node object stay readable (no code runs to read them)', () => {
    const emitter = Object.assign(new EventEmitter(), { country: 'US' });
    expect(outcome("${e.country == 'US'}", { e: emitter })).toBe(true);
  });

  it('every platform class named in PLATFORM_GLOBALS exists in this Node (a misspelt name would guard nothing)', () => {
    for (const name of PLATFORM_GLOBALS) expect(typeof (globalThis as Record<string, unknown>)[name], name).toBe('function');
  });
});

describe("an application's own classes, with their superclasses", () => {
  const member = new Member();

  it('methods, getters and isX/getX properties of the class and of its superclass', () => {
    expect(outcome('${m.isVip() == true}', { m: member })).toBe(true);
    expect(outcome('${m.vip}', { m: member })).toBe(true);
    expect(outcome("${m.tier == 'gold'}", { m: member })).toBe(true);
    expect(outcome("${m.getTier() == 'gold'}", { m: member })).toBe(true);
    expect(outcome("${m.inRegion('EU') == true}", { m: member })).toBe(true);
    expect(outcome('${m.since == 2020}', { m: member })).toBe(true);
    expect(outcome('${m.id == 7}', { m: member })).toBe(true);
  });

  it("nothing of Object.prototype: the prototype-pollution and introspection methods", () => {
    for (const rule of [
      "${m.__defineGetter__('polluted', m) == null}",
      "${m.__defineSetter__('polluted', m) == null}",
      "${m.__lookupGetter__('since') != null}",
      "${m.hasOwnProperty('id') == true}",
      "${m.isPrototypeOf(m) == true}",
      "${m.propertyIsEnumerable('id') == true}",
      "${m.toString() != ''}",
      "${m.toLocaleString() != ''}",
      '${m.valueOf() != null}',
    ]) {
      expect(outcome(rule, { m: member }), rule).toMatch(/^javax\.el\.MethodNotFoundException: Method not found: Member\./);
    }
    for (const rule of ['${m.constructor != null}', "${m['constructor'] != null}", '${m.__proto__ != null}', "${m['__proto__'] != null}", '${m.prototype != null}']) {
      expect(outcome(rule, { m: member }), rule).toMatch(/^javax\.el\.PropertyNotFoundException: Property \[(constructor|__proto__|prototype)\] not found on type \[Member\]/);
    }
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });
});

describe('prototype pollution through the context', () => {
  it('JSON keys named __proto__ and constructor are map entries: read as data, never as prototypes', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as Record<string, unknown>;
    const context = { hostile, plain: {} };
    expect(outcome('${hostile.__proto__.polluted}', context)).toBe(true);
    expect(outcome("${hostile['constructor']['prototype'].polluted}", context)).toBe(true);
    expect(outcome('${plain.__proto__ == null}', context)).toBe(true);
    expect(outcome('${plain.constructor == null}', context)).toBe(true);
    expect(outcome("${plain['constructor']['prototype'] == null}", context)).toBe(true);
    expect(outcome("${hostile.hasOwnProperty('__proto__') == true}", context)).toMatch(/Method not found: java\.util\.LinkedHashMap\.hasOwnProperty/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
  });

  it("context variables named __proto__ and constructor are the context's own entries, never Object's", () => {
    const context = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x"}') as Record<string, unknown>;
    expect(outcome('${__proto__.polluted}', context)).toBe(true);
    expect(outcome("${constructor == 'x'}", context)).toBe(true);
    expect(outcome('${__proto__ == null}', {})).toMatch(/^javax\.el\.PropertyNotFoundException/);
    expect(outcome('${constructor == null}', {})).toMatch(/^javax\.el\.PropertyNotFoundException/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a Proxy whose traps throw makes the rule fail, not the caller', () => {
    const trap = new Proxy({}, {
      getPrototypeOf() {
        throw new Error('trap');
      },
    });
    expect(outcome('${p.x == 1}', { p: trap })).toMatch(/trap/);
    expect(outcome('${p.run()}', { p: trap })).toMatch(/trap/);
  });
});
