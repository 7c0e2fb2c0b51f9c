import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * The store's Lua scripts, loaded from `<name>-<numKeys>.lua` next to this file and defined on a
 * connection as ioredis commands (EVALSHA with a fallback to EVAL).
 */
const SCRIPT_FILES = [
  'checkout-commit-7',
  'outbox-settle-10',
  'outbox-settle-plain-8',
  'outbox-record-attempt-3',
  'outbox-claim-due-1',
  'outbox-replay-7',
  'outbox-prune-5',
  'idempotency-claim-2',
  'release-lock-1',
] as const;
export type ScriptName = (typeof SCRIPT_FILES)[number];

const sources = new Map<ScriptName, string>();

function source(name: ScriptName): string {
  let text = sources.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./${name}.lua`, import.meta.url), 'utf8');
    sources.set(name, text);
  }
  return text;
}

type Reply = (string | number | null)[];
type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

const defined = new WeakSet<Redis>();

function commandName(name: ScriptName): string {
  return `acw_${name.replace(/-\d+$/, '').replace(/-/g, '_')}`;
}

/** Runs a script by name; defines all of them on the connection the first time. */
export async function runScript(
  redis: Redis,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<Reply | number> {
  if (!defined.has(redis)) {
    for (const file of SCRIPT_FILES) {
      const numberOfKeys = Number(/-(\d+)$/.exec(file)?.[1]);
      redis.defineCommand(commandName(file), { numberOfKeys, lua: source(file) });
    }
    defined.add(redis);
  }
  const expectedKeys = Number(/-(\d+)$/.exec(name)?.[1]);
  if (keys.length !== expectedKeys) {
    throw new Error(`${name} takes ${expectedKeys} keys, got ${keys.length}`);
  }
  const command = (redis as unknown as Record<string, ScriptCall>)[commandName(name)];
  if (command === undefined) throw new Error(`script ${name} is not defined`);
  return (await command.call(redis, ...keys, ...args)) as Reply | number;
}
