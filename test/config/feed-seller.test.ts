import { describe, expect, it } from 'vitest';
import { feedSellerOf } from '../../src/app/feed-seller.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEMO_SELLER } from '../../src/demo/demo-seller.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_TOKENS: 'acme:0123456789abcdef0123',
  OPERATOR_TOKEN: 'operator-0123456789abcdef',
  WEBHOOK_SECRET: 'webhook-0123456789abcdef',
};

const SELLER_ENV = {
  FEED_SELLER_NAME: 'Acme Outdoor',
  FEED_SELLER_URL: 'https://acme.example',
  FEED_SELLER_PRIVACY_POLICY_URL: 'https://acme.example/privacy',
  FEED_SELLER_TOS_URL: 'https://acme.example/terms',
  FEED_STORE_COUNTRY: 'US',
  FEED_TARGET_COUNTRIES: 'US, CA',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted a bad environment');
}

describe('feedSellerOf', () => {
  it('takes every seller and market variable as set', () => {
    expect(feedSellerOf(loadConfig({ ...PRODUCTION, ...SELLER_ENV }))).toEqual({
      name: 'Acme Outdoor',
      url: 'https://acme.example',
      privacyPolicyUrl: 'https://acme.example/privacy',
      termsUrl: 'https://acme.example/terms',
      storeCountry: 'US',
      targetCountries: ['US', 'CA'],
    });
  });

  describe('outside production, with nothing set', () => {
    it("names the demo store, so the demo's openai-flat rows are complete", () => {
      expect(feedSellerOf(loadConfig({ NODE_ENV: 'development' }))).toEqual(DEMO_SELLER);
    });

    it('still lets a set variable win', () => {
      const seller = feedSellerOf(loadConfig({ FEED_SELLER_NAME: 'Acme Outdoor' }));
      expect(seller).toEqual({ ...DEMO_SELLER, name: 'Acme Outdoor' });
    });
  });

  describe('in production, with nothing set', () => {
    it('names no seller: the demo store is never published as a real one', () => {
      expect(feedSellerOf(loadConfig(PRODUCTION))).toEqual({});
    });

    it('reads empty variables as unset', () => {
      const empty = { FEED_SELLER_URL: '', FEED_STORE_COUNTRY: '', FEED_TARGET_COUNTRIES: '' };
      expect(feedSellerOf(loadConfig({ ...PRODUCTION, ...empty }))).toEqual({});
    });
  });
});

describe('seller and market variables', () => {
  it.each([
    ['FEED_STORE_COUNTRY', 'de'],
    ['FEED_STORE_COUNTRY', 'DEU'],
    ['FEED_TARGET_COUNTRIES', 'US,Canada'],
    ['FEED_SELLER_URL', 'ftp://acme.example'],
    ['FEED_SELLER_PRIVACY_POLICY_URL', 'not a url'],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([
      expect.stringMatching(new RegExp(`^${name}: `)),
    ]);
  });
});
