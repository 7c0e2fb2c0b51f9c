import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aHarness, startA2aHarness } from '../helpers/a2a.js';
import { schemaErrors } from '../helpers/a2a-schema.js';
import { a2aV1SchemaAvailable, v1SchemaErrors, v1Validator } from '../helpers/a2a-v1-schema.js';
import { specsAvailable } from '../helpers/specs.js';

/**
 * Which card a client gets, against both official schemas. The v1.0 schema allows no field it
 * does not define (additionalProperties: false) and the v0.3.0 schema requires `url` and
 * `protocolVersion`, so no one document is valid under both: a client that announces 1.0 gets the
 * v1.0 card, one that does not the v0.3 card (A2A v1.0 §3.6.2: an empty version is 0.3), as
 * README "Discovery" explains with the measurements behind it.
 */

const CARD_PATHS = ['/.well-known/agent-card.json', '/.well-known/agent.json'];

describe('the agent card against the official schemas', () => {
  let harness: A2aHarness;

  beforeAll(async () => {
    harness = await startA2aHarness({ workers: false });
  });
  afterAll(() => harness.close());

  const cardAt = async (path: string, headers: Record<string, string> = {}) =>
    (await (await fetch(`${harness.baseUrl}${path}`, { headers })).json()) as Record<
      string,
      unknown
    >;

  describe.skipIf(!a2aV1SchemaAvailable)('the v1.0 JSON Schema', () => {
    it.each(CARD_PATHS)('accepts the card served at %s with A2A-Version: 1.0', async (path) => {
      expect(v1SchemaErrors('Agent Card', await cardAt(path, { 'A2A-Version': '1.0' }))).toEqual(
        [],
      );
    });

    it('accepts the card when 1.0 is asked for with the A2A-Version query parameter', async () => {
      const card = await cardAt('/.well-known/agent-card.json?A2A-Version=1.0');
      expect(v1SchemaErrors('Agent Card', card)).toEqual([]);
    });

    it('refuses the card without a version only for the fields a v0.3 client needs', async () => {
      const validate = v1Validator('Agent Card');
      const card = await cardAt('/.well-known/agent-card.json');
      expect(validate(card)).toBe(false);
      const extra = (validate.errors ?? []).map(
        (error) =>
          `${error.instancePath}/${(error.params as { additionalProperty?: string }).additionalProperty}`,
      );
      expect(new Set(extra)).toEqual(
        new Set([
          '/url',
          '/preferredTransport',
          '/protocolVersion',
          '/security',
          '/supportsAuthenticatedExtendedCard',
          '/securitySchemes/bearer/type',
          '/securitySchemes/bearer/scheme',
          '/securitySchemes/bearer/description',
        ]),
      );
    });
  });

  describe.skipIf(!specsAvailable)('the v0.3.0 JSON Schema', () => {
    it.each(CARD_PATHS)('accepts the card served at %s without a version', async (path) => {
      expect(schemaErrors('AgentCard', await cardAt(path))).toEqual([]);
    });

    it('refuses the v1.0 card: it has no url or protocolVersion', async () => {
      const errors = schemaErrors(
        'AgentCard',
        await cardAt('/.well-known/agent-card.json', { 'A2A-Version': '1.0' }),
      );
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.stringContaining("required property 'url'"),
          expect.stringContaining("required property 'protocolVersion'"),
        ]),
      );
    });
  });
});
