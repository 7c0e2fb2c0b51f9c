import type { Config } from '../config.js';
import { DEMO_SELLER } from '../demo/demo-seller.js';
import type { ListingSeller } from '../domain/index.js';

/**
 * The merchant details the feeds carry, from FEED_SELLER_*, FEED_STORE_COUNTRY and
 * FEED_TARGET_COUNTRIES. Outside production an unset one takes the demo store's value; in
 * production it stays unset, and the openai-flat manifest counts the rows left out for it.
 */
export function feedSellerOf(config: Config): ListingSeller {
  const fallback: ListingSeller = config.NODE_ENV === 'production' ? {} : DEMO_SELLER;
  const seller: ListingSeller = {};
  const name = config.FEED_SELLER_NAME ?? fallback.name;
  const url = config.FEED_SELLER_URL ?? fallback.url;
  const privacyPolicyUrl = config.FEED_SELLER_PRIVACY_POLICY_URL ?? fallback.privacyPolicyUrl;
  const termsUrl = config.FEED_SELLER_TOS_URL ?? fallback.termsUrl;
  const storeCountry = config.FEED_STORE_COUNTRY ?? fallback.storeCountry;
  const targetCountries = config.FEED_TARGET_COUNTRIES ?? fallback.targetCountries;
  if (name !== undefined) seller.name = name;
  if (url !== undefined) seller.url = url;
  if (privacyPolicyUrl !== undefined) seller.privacyPolicyUrl = privacyPolicyUrl;
  if (termsUrl !== undefined) seller.termsUrl = termsUrl;
  if (storeCountry !== undefined) seller.storeCountry = storeCountry;
  if (targetCountries !== undefined) seller.targetCountries = targetCountries;
  return Object.freeze(seller);
}
