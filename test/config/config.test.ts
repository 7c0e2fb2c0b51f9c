import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

/** The error loadConfig throws for `env`; fails the test when it does not throw one. */
function configErrorFor(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('loadConfig', () => {
  describe('when every variable is set and valid', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ROLE: 'worker',
      HOST: '0.0.0.0',
      PORT: '8080',
      REDIS_URL: 'rediss://:s3cret@cache.internal:6380/1',
      REDIS_AUTOSTART: 'no',
      KEY_PREFIX: 'shop',
      QUEUE_PREFIX: '{shop}',
      AUTH_TOKENS: 'acme:0123456789abcdef0123, beta:fedcba9876543210fedc',
      SEED_DEMO: 'false',
      REQUIRED_POLICY_DOMAINS: 'returns, shipping,warranty',
      CATALOG_URL: 'https://catalog.example/api',
      SHUTDOWN_DEADLINE_MS: '5000',
      OPERATOR_TOKEN: 'operator-0123456789abcdef',
      WEBHOOK_SECRET: 'webhook-0123456789abcdef',
    });

    it('parses each into its typed value', () => {
      expect(config).toMatchObject({
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        ROLE: 'worker',
        HOST: '0.0.0.0',
        PORT: 8080,
        REDIS_URL: 'rediss://:s3cret@cache.internal:6380/1',
        REDIS_AUTOSTART: false,
        KEY_PREFIX: 'shop',
        QUEUE_PREFIX: '{shop}',
        AUTH_TOKENS: [
          { tenant: 'acme', token: '0123456789abcdef0123' },
          { tenant: 'beta', token: 'fedcba9876543210fedc' },
        ],
        SEED_DEMO: false,
        REQUIRED_POLICY_DOMAINS: ['returns', 'shipping', 'warranty'],
        CATALOG_URL: 'https://catalog.example/api',
        SHUTDOWN_DEADLINE_MS: 5000,
      });
    });

    it('freezes the result', () => {
      expect(Object.isFrozen(config)).toBe(true);
    });
  });

  describe('when nothing is set', () => {
    const config = loadConfig({});

    it('falls back to the documented defaults', () => {
      expect(config).toMatchObject({
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        ROLE: 'all',
        HOST: '127.0.0.1',
        PORT: 3000,
        REDIS_URL: 'redis://127.0.0.1:6379',
        KEY_PREFIX: 'acw',
        QUEUE_PREFIX: '{acw}',
        AUTH_TOKENS: [{ tenant: 'demo', token: 'demo-token-change-me-0001' }],
        SEED_DEMO: true,
        REQUIRED_POLICY_DOMAINS: ['returns', 'shipping'],
        SHUTDOWN_DEADLINE_MS: 25_000,
      });
    });

    it('leaves REDIS_AUTOSTART and CATALOG_URL unset', () => {
      expect(config.REDIS_AUTOSTART).toBeUndefined();
      expect(config.CATALOG_URL).toBeUndefined();
    });
  });

  describe('when CATALOG_URL is set but empty', () => {
    it('treats it as unset', () => {
      expect(loadConfig({ CATALOG_URL: '' }).CATALOG_URL).toBeUndefined();
    });
  });

  describe('REDIS_CLUSTER_NODES', () => {
    it('reads seed nodes as host and port, leaving a single node when unset', () => {
      expect(loadConfig({}).REDIS_CLUSTER_NODES).toBeUndefined();
      expect(
        loadConfig({ REDIS_CLUSTER_NODES: 'redis-0.cache:7000, 10.0.0.7:7001' })
          .REDIS_CLUSTER_NODES,
      ).toEqual([
        { host: 'redis-0.cache', port: 7000 },
        { host: '10.0.0.7', port: 7001 },
      ]);
    });

    it('refuses a node without a port, naming the variable', () => {
      const error = configErrorFor({ REDIS_CLUSTER_NODES: '10.0.0.7:7001,redis-1' });
      expect(error.problems).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES.*host:port/)]);
    });
  });

  describe('QUEUE_HASH_TAGS', () => {
    it('reads group=tag pairs, * included', () => {
      expect(loadConfig({ QUEUE_HASH_TAGS: 'intents=hot, *=acw' }).QUEUE_HASH_TAGS).toEqual({
        intents: 'hot',
        '*': 'acw',
      });
    });

    it('takes an evaluation shard’s group', () => {
      expect(loadConfig({ QUEUE_HASH_TAGS: 'evaluation-2=eval' }).QUEUE_HASH_TAGS).toEqual({
        'evaluation-2': 'eval',
      });
    });

    it('refuses a group it does not know, listing the groups', () => {
      const error = configErrorFor({ QUEUE_HASH_TAGS: 'intent=hot' });
      expect(error.problems).toEqual([
        expect.stringMatching(/^QUEUE_HASH_TAGS.*intents.*scheduling/),
      ]);
    });

    it('refuses a tag with braces in it', () => {
      const error = configErrorFor({ QUEUE_HASH_TAGS: 'intents={hot}' });
      expect(error.problems).toEqual([expect.stringMatching(/^QUEUE_HASH_TAGS.*group=tag/)]);
    });
  });

  describe('when variables it does not know are set', () => {
    it('ignores them', () => {
      expect(loadConfig({ PATH: '/usr/bin', SOMETHING_ELSE: 'x' })).toEqual(loadConfig({}));
    });
  });

  describe('when several variables are bad', () => {
    const error = configErrorFor({
      PORT: 'abc',
      REDIS_URL: 'http://x',
      AUTH_TOKENS: 'nocolon',
      HOST: '127.0.0.1',
    });

    it('throws one ConfigError listing one problem per bad variable', () => {
      expect(error.problems.map((problem) => problem.split(':')[0])).toEqual([
        'PORT',
        'REDIS_URL',
        'AUTH_TOKENS',
      ]);
    });

    it.each(['PORT', 'REDIS_URL', 'AUTH_TOKENS'])('names %s in its message', (name) => {
      expect(error.message).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    });

    it('shows the bad values that are not secret', () => {
      expect(error.message).toContain('"abc"');
      expect(error.message).toContain('"http://x"');
    });

    it('never shows the token value', () => {
      expect(error.message).not.toContain('nocolon');
      expect(error.message).toContain('[redacted]');
    });
  });

  describe('when one token entry is malformed and another is a real token', () => {
    const error = configErrorFor({
      AUTH_TOKENS: 'acme:0123456789abcdef-real-secret,beta:short',
    });

    it('names AUTH_TOKENS', () => {
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain('AUTH_TOKENS');
    });

    it('shows neither token', () => {
      expect(error.message).not.toContain('0123456789abcdef-real-secret');
      expect(error.message).not.toContain('short');
    });
  });

  describe('when a URL with a password has the wrong scheme', () => {
    const error = configErrorFor({ REDIS_URL: 'http://default:hunter2-p@ss@cache:6379/0' });

    it('names the variable and shows the URL without its password', () => {
      expect(error.message).toContain('REDIS_URL');
      expect(error.message).toContain('http://default:[redacted]@cache:6379/0');
      expect(error.message).not.toContain('hunter2');
    });
  });

  describe.each([
    ['LOG_LEVEL', 'loud'],
    ['ROLE', 'everything'],
    ['PORT', '70000'],
    ['QUEUE_PREFIX', 'acw'],
    ['KEY_PREFIX', 'a:b'],
    ['REQUIRED_POLICY_DOMAINS', 'returns,refunds'],
    ['REQUIRED_POLICY_DOMAINS', ''],
    ['SEED_DEMO', 'maybe'],
    ['SHUTDOWN_DEADLINE_MS', '-1'],
    ['EVALUATION_QUEUE_SHARDS', '0'],
  ])('when %s is %j', (name, value) => {
    it('refuses it by name', () => {
      expect(configErrorFor({ [name]: value }).problems[0]).toMatch(new RegExp(`^${name}: `));
    });
  });

  describe('in production with the public demo secrets', () => {
    it('refuses the demo tenant and operator tokens and the sandbox webhook secret by name', () => {
      const error = configErrorFor({ NODE_ENV: 'production' });
      expect(error.problems).toHaveLength(3);
      expect(error.problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^AUTH_TOKENS: must be set in production/),
          expect.stringMatching(/^OPERATOR_TOKEN: must be set in production/),
          expect.stringMatching(/^WEBHOOK_SECRET: must be set in production/),
        ]),
      );
      expect(error.message).not.toContain('demo-token-change-me');
    });
  });
});
