/**
 * Java beans described once. A bean is a table, in Java declaration order, of property → how its value is read
 * from the instance's state, under `is` (a boolean property: Java getter `isX`) or `get` (Java getter `getX`).
 * {@link beanClass} turns the table into a base class whose prototype carries, for each property, the accessor
 * (`ua.mobileDevice`: what EL property access reads), the Java getter (`ua.isMobileDevice()`: what EL method
 * calls reach) and a `toJSON` writing every property under Jackson's name, in table order.
 */

/** One bean property: read by Java getter `is<Name>` (booleans) or `get<Name>`, from the bean's state. */
export type BeanProperty<S> = { readonly is: (state: S) => boolean } | { readonly get: (state: S) => unknown };

/** A bean's properties, in the order Jackson writes them. */
export type BeanTable<S> = Readonly<Record<string, BeanProperty<S>>>;

type ValueOf<P> = P extends { readonly get: (state: never) => infer V } ? V : boolean;
type JavaGetter<K extends string, P> = P extends { readonly is: unknown } ? `is${Capitalize<K>}` : `get${Capitalize<K>}`;
/** Jackson's `legacyManglePropertyName`: the leading upper-case letters lower-cased (`IOS` → `ios`, `OS` → `os`). */
type JacksonName<K extends string> = K extends `${infer C}${infer R}` ? (C extends Lowercase<C> ? K : `${Lowercase<C>}${JacksonName<R>}`) : K;
type JsonOf<V> = V extends { toJSON(): infer J } ? J : V;

/** The JSON Jackson writes for a bean with these properties. */
export type BeanJson<T> = { [K in keyof T & string as JacksonName<K>]: JsonOf<ValueOf<T[K]>> };

/** A bean's instance: each property as a read-only accessor and as its Java getter, and `toJSON`. */
export type Bean<T> = { readonly [K in keyof T & string]: ValueOf<T[K]> } & {
  [K in keyof T & string as JavaGetter<K, T[K]>]: () => ValueOf<T[K]>;
} & { toJSON(): BeanJson<T> };

function jacksonName(property: string): string {
  let i = 0;
  while (i < property.length && property.charAt(i) !== property.charAt(i).toLowerCase()) i++;
  return property.slice(0, i).toLowerCase() + property.slice(i);
}

function jsonValue(value: unknown): unknown {
  const toJSON = typeof value === 'object' && value !== null ? (value as { toJSON?: unknown }).toJSON : undefined;
  return typeof toJSON === 'function' ? (Reflect.apply(toJSON, value, []) as unknown) : value;
}

/**
 * The base class for a bean of state `S` (curried so the table's reads are typed by `S`). Instances are
 * immutable: the state is private to the class, and every property is a getter without a setter.
 * @example
 * class Version extends beanClass<{ major: number }>()({ major: { get: (s) => s.major } }) {}
 * new Version({ major: 7 }).getMajor() // 7
 */
export function beanClass<S>(): <T extends BeanTable<S>>(table: T) => new (state: S) => Bean<T> {
  return <T extends BeanTable<S>>(table: T) => {
    let stateOf: (bean: object) => S = () => {
      throw new Error('unreachable');
    };
    class JavaBean {
      readonly #state: S;
      constructor(state: S) {
        this.#state = state;
      }
      static {
        stateOf = (bean) => (bean as JavaBean).#state;
      }
    }
    const json: [string, (state: S) => unknown][] = [];
    for (const [property, description] of Object.entries(table)) {
      const read: (state: S) => unknown = 'is' in description ? description.is : description.get;
      const get = function (this: object): unknown {
        return read(stateOf(this));
      };
      const prefix = 'is' in description ? 'is' : 'get';
      Object.defineProperty(JavaBean.prototype, property, { get, configurable: true });
      Object.defineProperty(JavaBean.prototype, `${prefix}${property.charAt(0).toUpperCase()}${property.slice(1)}`, {
        value: get,
        writable: true,
        configurable: true,
      });
      json.push([jacksonName(property), read]);
    }
    Object.defineProperty(JavaBean.prototype, 'toJSON', {
      value: function toJSON(this: object): Record<string, unknown> {
        const state = stateOf(this);
        const out: Record<string, unknown> = {};
        for (const [key, read] of json) out[key] = jsonValue(read(state));
        return out;
      },
      writable: true,
      configurable: true,
    });
    return JavaBean as unknown as new (state: S) => Bean<T>;
  };
}

/** The table of a bean whose properties are the fields `K` of its state. */
type FieldTable<S, K extends string> = { readonly [P in K]: { readonly get: (state: S) => S[P & keyof S] } };

/**
 * The base class for a bean whose properties are its state's fields, in this order, each read by `getX`.
 * @example
 * class Version extends fieldBean<{ major: number; minor: number }>()('major', 'minor') {}
 */
export function fieldBean<S extends object>(): <const K extends readonly (keyof S & string)[]>(
  ...fields: K
) => new (state: S) => Bean<FieldTable<S, K[number]>> {
  return <const K extends readonly (keyof S & string)[]>(...fields: K) => {
    const table = Object.fromEntries(fields.map((field) => [field, { get: (state: S) => state[field] }]));
    return beanClass<S>()(table as FieldTable<S, K[number]>);
  };
}
