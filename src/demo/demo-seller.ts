import type { ListingSeller } from '../domain/index.js';

/**
 * The demo store's own details, which the feeds name outside production when FEED_SELLER_* and
 * the market variables are unset, so the demo's openai-flat feed has complete rows. Public
 * example values, like the demo tokens: production brings its own or its rows are left out.
 */
export const DEMO_SELLER = {
  name: 'Northwind Outfitters',
  url: 'https://shop.example.com',
  privacyPolicyUrl: 'https://shop.example.com/legal/privacy',
  termsUrl: 'https://shop.example.com/legal/terms',
  storeCountry: 'DE',
  targetCountries: ['DE', 'AT', 'FR', 'NL'],
} as const satisfies ListingSeller;
