/**
 * Pipet's value converters (`ValueConverters`, spec §5.2): how a raw query or header string becomes the
 * typed context value rules see. Each converter follows the Java parser it stands for, including what it
 * refuses; a refusal becomes the 400 "Could not convert raw value ..." response.
 */
import { javaByte, javaInt, javaShort } from '../java/boxes.js';
import { JavaChar } from '../rules/values.js';
import { parseJavaDouble, parseJavaFloat, parseJavaInteger } from '../java/numbers/index.js';
import type { JavaIntegerType } from '../java/numbers/index.js';
import { parseJavaBoolean } from '../java/text.js';
import { parseUserAgent, USER_AGENT_CLASS } from './user-agent.js';

/** Why a raw value could not be converted: the text after the colon in Pipet's 400 message. */
export class ConversionFailure {
  constructor(readonly reason: string) {}
}

/** How a converted value is written back in the `context` echo of `/groups/identify`. */
export type EchoKind = 'integer' | 'float' | 'double' | 'boolean' | 'string' | 'userAgent';

/** One registered converter. */
export interface ValueConverter {
  /** The canonical Java class name Pipet reports (`java.lang.Integer`). */
  readonly javaType: string;
  readonly echo: EchoKind;
  /** The converted value, or a {@link ConversionFailure}. Never throws. */
  convert(raw: string): unknown;
}

const NUMBER_FORMAT = new ConversionFailure('NumberFormatException');

/** How a parsed integer becomes the rule value of its Java type: a Long is a JS number, the others are boxed. */
const BOX: Readonly<Record<JavaIntegerType, (n: number) => unknown>> = {
  byte: javaByte,
  short: javaShort,
  int: javaInt,
  long: (n) => n,
};

/**
 * `Byte/Short/Integer/Long.valueOf`. The value keeps its Java type for the rules, as in Pipet: a variable
 * declared `int` is an Integer, which `proctor:inRange(age, 18, 65)` cannot compare with the Long literals.
 */
function integer(javaType: string, type: JavaIntegerType): ValueConverter {
  const box = BOX[type];
  return {
    javaType,
    echo: 'integer',
    convert: (raw) => {
      const n = parseJavaInteger(raw, type);
      if (n === null) return NUMBER_FORMAT;
      return typeof n === 'bigint' ? n : box(n);
    },
  };
}

const CONVERTERS: readonly (readonly [readonly string[], ValueConverter])[] = [
  [['byte', 'Byte', 'java.lang.Byte'], integer('java.lang.Byte', 'byte')],
  [['short', 'Short', 'java.lang.Short'], integer('java.lang.Short', 'short')],
  [['int', 'Integer', 'java.lang.Integer'], integer('java.lang.Integer', 'int')],
  [['long', 'Long', 'java.lang.Long'], integer('java.lang.Long', 'long')],
  [
    ['float', 'Float', 'java.lang.Float'],
    { javaType: 'java.lang.Float', echo: 'float', convert: (raw) => parseJavaFloat(raw) ?? NUMBER_FORMAT },
  ],
  [
    ['double', 'Double', 'java.lang.Double'],
    { javaType: 'java.lang.Double', echo: 'double', convert: (raw) => parseJavaDouble(raw) ?? NUMBER_FORMAT },
  ],
  [
    ['boolean', 'Boolean', 'java.lang.Boolean'],
    {
      javaType: 'java.lang.Boolean',
      echo: 'boolean',
      // Pipet adds "1" to Boolean.valueOf, which is "true" ignoring case and false for anything else.
      convert: (raw) => raw === '1' || parseJavaBoolean(raw),
    },
  ],
  [
    ['char', 'Character', 'java.lang.Character'],
    {
      javaType: 'java.lang.Character',
      echo: 'string',
      // A Character to the rules (`c == 97` holds for "a", as in Java), echoed as a one-character string.
      convert: (raw) =>
        raw.length === 1 ? new JavaChar(raw) : new ConversionFailure(`Parameter was length ${raw.length} but expecting length 1.`),
    },
  ],
  [['string', 'String', 'java.lang.String'], { javaType: 'java.lang.String', echo: 'string', convert: (raw) => raw }],
  [['UserAgent', USER_AGENT_CLASS], { javaType: USER_AGENT_CLASS, echo: 'userAgent', convert: parseUserAgent }],
];

const BY_NAME: ReadonlyMap<string, ValueConverter> = new Map(
  CONVERTERS.flatMap(([names, converter]) => names.map((name) => [name, converter] as const)),
);

/** Every type name Pipet's configuration accepts, in registration order. */
export const CONVERTER_TYPE_NAMES: readonly string[] = Object.freeze([...BY_NAME.keys()]);

/** The converter registered for a configuration `type` (case-sensitive, as in Java), or undefined. */
export function lookupConverter(type: string): ValueConverter | undefined {
  return BY_NAME.get(type);
}
