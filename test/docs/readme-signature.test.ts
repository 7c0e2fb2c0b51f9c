import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/providers/webhook-signature.js';

/**
 * The receiver's signature check the README gives ("Product subscriptions and decision events")
 * is run as written against signatures the service makes, so the snippet cannot rot.
 */
const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Product subscriptions and decision events'));
const snippet = /```js\n([\s\S]*?)```/.exec(section)?.[1];

type Verified = (secret: string, header: string, rawBody: string, tolerance?: number) => boolean;

describe("the README's signature check for a receiver", () => {
  let dir: string;
  let verified: Verified;
  const secret = 'receiver-shared-secret-0123456789';
  const body = JSON.stringify({ id: 'dc.1-0.0', type: 'decision.changed', sequence: 1 });
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    expect(snippet, 'a ```js block in the section').toBeDefined();
    dir = await mkdtemp(join(tmpdir(), 'acw-readme-'));
    const file = join(dir, 'verify.mjs');
    await writeFile(file, snippet as string);
    verified = ((await import(pathToFileURL(file).href)) as { verified: Verified }).verified;
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('accepts what the service signs', () => {
    expect(verified(secret, signWebhook(secret, now(), body), body)).toBe(true);
  });

  it('refuses another secret, a changed body, an old timestamp and a malformed header', () => {
    const header = signWebhook(secret, now(), body);
    expect(verified('another-secret-0123456789abcdef', header, body)).toBe(false);
    expect(verified(secret, header, body.replace('"sequence":1', '"sequence":2'))).toBe(false);
    expect(verified(secret, signWebhook(secret, now() - 3_600, body), body)).toBe(false);
    expect(verified(secret, 't=1', body)).toBe(false);
    expect(verified(secret, `t=${now()},v1=zz`, body)).toBe(false);
  });
});
