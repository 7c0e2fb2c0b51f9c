import { readFile } from 'node:fs/promises';
import { describeIssues, evaluateDocument, FactsDocumentSchema } from '../domain/index.js';
import type { CliIo } from './io.js';

/**
 * `acw evaluate FILE`: the profiles of a facts document as JSON on stdout. An unreadable or
 * invalid document exits 2 with every problem on stderr and nothing on stdout.
 */
export async function evaluateCommand(args: string[], io: CliIo): Promise<number> {
  const [file] = args;
  if (file === undefined || args.length > 1) {
    io.stderr('usage: acw evaluate FILE   (FILE may be - for standard input)\n');
    return 2;
  }
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    io.stderr(`acw evaluate: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    io.stderr(`acw evaluate: ${file} is not JSON: ${(error as Error).message}\n`);
    return 2;
  }
  const parsed = FactsDocumentSchema.safeParse(json);
  if (!parsed.success) {
    io.stderr(`acw evaluate: ${file} is not a valid facts document:\n`);
    for (const line of describeIssues(parsed.error)) io.stderr(`  ${line}\n`);
    return 2;
  }
  const options = { requiredPolicyDomains: io.config().REQUIRED_POLICY_DOMAINS };
  io.stdout(`${JSON.stringify(evaluateDocument(parsed.data, options), null, 2)}\n`);
  return 0;
}
