import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { freePort, runServiceToExit } from '../helpers/service-process.js';

/**
 * The agent card advertises PUBLIC_BASE_URL, else http://HOST:PORT. In production a wildcard
 * listen address there (0.0.0.0, ::) would send every client nowhere, so start-up refuses it.
 */

const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_TOKENS: 'acme:0123456789abcdef0123',
  OPERATOR_TOKEN: 'operator-0123456789abcdef',
  WEBHOOK_SECRET: 'webhook-0123456789abcdef',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('PUBLIC_BASE_URL in production', () => {
  it.each(['0.0.0.0', '::', '[::]'])(
    'is required when HOST is %s, in one problem naming it',
    (host) => {
      for (const role of ['all', 'ingress']) {
        expect(problemsOf({ ...PRODUCTION, ROLE: role, HOST: host })).toEqual([
          expect.stringMatching(/^PUBLIC_BASE_URL: must be set in production/),
        ]);
      }
    },
  );

  it.each(['http://0.0.0.0:3000', 'http://[::]:3000'])(
    'refuses %s, itself a wildcard address',
    (url) => {
      expect(
        problemsOf({ ...PRODUCTION, HOST: '0.0.0.0', PUBLIC_BASE_URL: url }).map(
          (problem) => problem.split(':')[0],
        ),
      ).toEqual(['PUBLIC_BASE_URL']);
    },
  );

  it('accepts a reachable URL with HOST=0.0.0.0, and the card then advertises it', () => {
    const config = loadConfig({
      ...PRODUCTION,
      HOST: '0.0.0.0',
      PUBLIC_BASE_URL: 'https://agents.example.com',
    });
    expect(config.PUBLIC_BASE_URL).toBe('https://agents.example.com');
  });

  it('leaves alone a specific HOST, roles without the card, and development', () => {
    expect(problemsOf({ ...PRODUCTION, HOST: '10.0.0.7' })).toEqual([]);
    expect(problemsOf({ ...PRODUCTION, HOST: '0.0.0.0', ROLE: 'worker' })).toEqual([]);
    expect(problemsOf({ ...PRODUCTION, HOST: '0.0.0.0', ROLE: 'scheduler' })).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'development', HOST: '0.0.0.0' })).toEqual([]);
  });

  it('stops `npm start` with exit code 2 and one message naming PUBLIC_BASE_URL', async () => {
    const redisPort = await freePort();
    const { code, stdout, stderr } = await runServiceToExit({
      ...PRODUCTION,
      HOST: '0.0.0.0',
      PORT: String(await freePort()),
      ROLE: 'ingress',
      PUBLIC_BASE_URL: '',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^Invalid configuration:\n {2}- PUBLIC_BASE_URL: must be set in production/,
    );
    expect(stderr.match(/^ {2}- /gm)).toHaveLength(1);
    expect(stdout).toBe('');
  }, 30_000);
});
