import { readFileSync } from 'node:fs';
import type { RedisClient } from '../redis.js';

/**
 * The one loader of the store's Lua scripts, after bullmq's `commands/*-N.lua`: each script is
 * `<name>-<numKeys>.lua` next to this file, opens with its KEYS, ARGV and Output contract, and
 * may pull shared functions in with a `--- @include "includes/<name>"` line, which the loader
 * replaces with that file (each include once per script). Every script is defined on a
 * connection as the ioredis command `acw_<name>` (EVALSHA, falling back to EVAL), all at its
 * first use.
 */
export const SCRIPT_FILES = [
  'checkout-commit-9',
  'claim-dirty-2',
  'create-intent-task-2',
  'decision-events-gate-5',
  'decision-events-project-7',
  'expiring-warn-4',
  'idempotency-claim-2',
  'move-due-2',
  'outbox-claim-due-1',
  'outbox-prune-5',
  'outbox-record-attempt-3',
  'outbox-replay-7',
  'outbox-settle-10',
  'outbox-settle-plain-8',
  'release-lock-1',
  'update-intent-task-1',
  'watch-session-3',
] as const;
export type ScriptName = (typeof SCRIPT_FILES)[number];

const INCLUDE = /^--- @include "([a-z0-9/-]+)"\s*$/gm;

function readLua(file: string): string {
  return readFileSync(new URL(`./${file}.lua`, import.meta.url), 'utf8');
}

/** The script's text with its includes in place; an include already in place is left out. */
export function scriptSource(name: ScriptName): string {
  const included = new Set<string>();
  const expand = (text: string, chain: readonly string[]): string =>
    text.replace(INCLUDE, (_line, include: string) => {
      if (chain.includes(include)) {
        throw new Error(`${name}.lua: include cycle ${[...chain, include].join(' → ')}`);
      }
      if (included.has(include)) return '';
      included.add(include);
      return expand(readLua(include), [...chain, include]);
    });
  return expand(readLua(name), [name]);
}

const sources = new Map<ScriptName, string>();

function cachedSource(name: ScriptName): string {
  let text = sources.get(name);
  if (text === undefined) {
    text = scriptSource(name);
    sources.set(name, text);
  }
  return text;
}

export function numberOfKeys(name: ScriptName): number {
  return Number(/-(\d+)$/.exec(name)?.[1]);
}

function commandName(name: ScriptName): string {
  return `acw_${name.replace(/-\d+$/, '').replace(/-/g, '_')}`;
}

type Reply = (string | number | null)[];
type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

const defined = new WeakSet<RedisClient>();

/** Runs a script by name; defines all of them on the connection the first time. */
export async function runScript(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<Reply | number> {
  if (!defined.has(redis)) {
    for (const file of SCRIPT_FILES) {
      redis.defineCommand(commandName(file), {
        numberOfKeys: numberOfKeys(file),
        lua: cachedSource(file),
      });
    }
    defined.add(redis);
  }
  const expectedKeys = numberOfKeys(name);
  if (keys.length !== expectedKeys) {
    throw new Error(`${name} takes ${expectedKeys} keys, got ${keys.length}`);
  }
  const command = (redis as unknown as Record<string, ScriptCall>)[commandName(name)];
  if (command === undefined) throw new Error(`script ${name} is not defined`);
  return (await command.call(redis, ...keys, ...args)) as Reply | number;
}
