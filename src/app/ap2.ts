import { jwksRoutes } from '../http/routes/jwks-routes.js';
import type { Feature } from './feature.js';
import { merchantSignerOf } from './merchant-signer.js';

/**
 * AP2 (v0.2): the merchant's side of mandates. Today: the public keys its checkout JWTs and
 * receipts are signed with, at /.well-known/jwks.json (the UCP profile lists them too).
 */
export const ap2Feature: Feature = {
  name: 'ap2',
  async publicRoutes(app, ctx) {
    await jwksRoutes(app, async () => (await merchantSignerOf(ctx)).jwks());
  },
};
