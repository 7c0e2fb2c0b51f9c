import fc from 'fast-check';

/**
 * fast-check values shaped by a JSON Schema (the subset `z.toJSONSchema` emits for tool
 * arguments: type, enum, const, properties/required/additionalProperties, items, anyOf/oneOf/
 * allOf, string and number bounds, pattern, local $ref), so a fuzzer can start from arguments a
 * tool would accept and break them one way at a time. Keywords it does not know widen the value
 * to anything JSON; whether a value is valid is for a validator to say, never for this file.
 */

export type JsonSchema = boolean | { [keyword: string]: unknown };

/** Strings any string field may get besides random ones: ids the harness knows, odd spellings. */
export interface ArbitraryOptions {
  strings?: readonly string[];
  /** Maximum nesting of generated objects and arrays. @defaultValue 4 */
  maxDepth?: number;
}

const anyJson = fc.jsonValue({ maxDepth: 3 });

function asObject(schema: JsonSchema): Record<string, unknown> {
  return typeof schema === 'object' && schema !== null ? schema : {};
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[
      part.replace(/~1/g, '/').replace(/~0/g, '~')
    ];
  }
  return (node ?? {}) as JsonSchema;
}

function stringArb(schema: Record<string, unknown>, options: ArbitraryOptions) {
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength =
    typeof schema.maxLength === 'number'
      ? Math.min(schema.maxLength, minLength + 64)
      : minLength + 64;
  const choices: fc.Arbitrary<string>[] = [fc.string({ minLength, maxLength })];
  if (typeof schema.pattern === 'string') {
    try {
      choices.push(fc.stringMatching(new RegExp(schema.pattern)));
    } catch {
      // A pattern JavaScript cannot compile is the validator's to report.
    }
  }
  if (schema.format === 'date-time')
    choices.push(
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
    );
  const known = (options.strings ?? []).filter((s) => s.length >= minLength);
  if (known.length > 0) choices.push(fc.constantFrom(...known));
  return fc.oneof(...choices);
}

function numberArb(schema: Record<string, unknown>, integer: boolean) {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  if (integer)
    return fc.integer({
      min: min === undefined ? -1_000_000 : Math.ceil(min),
      max: max === undefined ? 1_000_000 : Math.floor(max),
    });
  return fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true });
}

/** Values of `schema` (mostly valid ones; `root` resolves `#/…` references). */
export function arbitraryOf(
  schema: JsonSchema,
  options: ArbitraryOptions = {},
  root: JsonSchema = schema,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (schema === true) return anyJson;
  if (schema === false) return fc.constant(undefined);
  const s = asObject(schema);
  const next = (child: JsonSchema) => arbitraryOf(child, options, root, depth + 1);
  if (depth > (options.maxDepth ?? 4)) return anyJson;
  if (typeof s.$ref === 'string')
    return arbitraryOf(resolveRef(root, s.$ref), options, root, depth + 1);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(...alternatives.map(next));
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return next(s.allOf[0] as JsonSchema);
  const type = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string | undefined];
  return fc.oneof(
    ...type.map((t): fc.Arbitrary<unknown> => {
      switch (t) {
        case 'string':
          return stringArb(s, options);
        case 'integer':
          return numberArb(s, true);
        case 'number':
          return numberArb(s, false);
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array': {
          const items = (s.items ?? true) as JsonSchema;
          const minLength = typeof s.minItems === 'number' ? s.minItems : 0;
          const maxLength =
            typeof s.maxItems === 'number' ? Math.min(s.maxItems, minLength + 4) : minLength + 4;
          return fc.array(next(items), { minLength, maxLength });
        }
        case 'object': {
          const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
          const required = new Set((s.required ?? []) as string[]);
          const record = Object.fromEntries(
            Object.entries(properties).map(([name, child]) => [name, next(child)]),
          );
          return fc.record(record, {
            requiredKeys: Object.keys(properties).filter((name) => required.has(name)),
          });
        }
        default:
          return anyJson;
      }
    }),
  );
}
