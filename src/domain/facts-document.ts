import { z } from 'zod';
import { EvaluationContextSchema } from './context.js';
import { PolicyFactSchema } from './policy.js';
import { InstantSchema } from './time.js';
import { ProductFactsSchema } from './truth.js';

/**
 * The facts document: what `acw evaluate FILE` reads and what the HTTP ingress accepts. Product
 * ids and policy ids must be unique within a document. Its objects are strict (here, in
 * truth.ts and policy.ts): a misspelt key such as `inventroy` is refused by its path rather than
 * dropped, which would read as a missing fact.
 */
export const FactsDocumentSchema = z
  .strictObject({
    now: InstantSchema,
    products: z.array(ProductFactsSchema).max(100_000),
    policies: z.array(PolicyFactSchema).max(10_000).default([]),
    contexts: z.array(EvaluationContextSchema.strict()).min(1).max(64),
  })
  .superRefine((doc, ctx) => {
    const reportDuplicates = (ids: string[], where: 'products' | 'policies') => {
      const seen = new Map<string, number>();
      ids.forEach((id, index) => {
        const first = seen.get(id);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [where, index, 'id'],
            message: `duplicate id ${id} (also at ${where}[${first}])`,
          });
        } else seen.set(id, index);
      });
    };
    reportDuplicates(
      doc.products.map((p) => p.id),
      'products',
    );
    reportDuplicates(
      doc.policies.map((p) => p.id),
      'policies',
    );
  });
export type FactsDocument = z.infer<typeof FactsDocumentSchema>;

/** What a misspelt or unsupported key is called, wherever it is reported. */
export const UNKNOWN_FIELD = 'unknown field';

/**
 * `$.products[0].price.amount: expected int` — one line per problem, by JSON path. zod reports
 * every unknown key of an object in one issue at the object's path; each gets its own line here,
 * at its own path (`$.products[0].inventroy: unknown field`).
 */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${jsonPath([...issue.path, key])}: ${UNKNOWN_FIELD}`)
      : [`${jsonPath(issue.path)}: ${issue.message}`],
  );
}

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}
