import { z } from 'zod';
import { describeIssues } from '../../domain/index.js';
import { failed, type NegotiationStep } from './negotiation-failure.js';

/**
 * What we read of a platform profile (discovery/profile.json, platform_profile): the protocol
 * version and the capability registry negotiation needs. Services and payment handlers are
 * required by the schema and checked only as registries of objects; what they hold is the
 * platform's business, and unknown members everywhere are kept (profiles grow).
 */

/** ucp.json `$defs/version`. */
const UcpVersionSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');

/** shopping/types/reverse_domain_name.json. */
const ReverseDomainNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+$/, 'must be a reverse-domain name');

/** capability.json `$defs/base`: an entity with a version and, for an extension, its parents. */
const CapabilityEntrySchema = z.looseObject({
  version: UcpVersionSchema,
  extends: z.union([ReverseDomainNameSchema, z.array(ReverseDomainNameSchema).min(1)]).optional(),
});

/** A registry keyed by reverse-domain name whose entries we do not read. */
const OpaqueRegistrySchema = z.record(ReverseDomainNameSchema, z.array(z.looseObject({})));

/** profile_schema.json `$defs/signing_key`: a public JWK, `kid` and `kty` required. */
const SigningKeySchema = z.looseObject({ kid: z.string().min(1), kty: z.string().min(1) });

export const PlatformProfileSchema = z.looseObject({
  signing_keys: z.array(SigningKeySchema).max(50).optional(),
  ucp: z.looseObject({
    version: UcpVersionSchema,
    services: OpaqueRegistrySchema,
    capabilities: z.record(ReverseDomainNameSchema, z.array(CapabilityEntrySchema)).default({}),
    payment_handlers: OpaqueRegistrySchema,
  }),
});

export type PlatformProfile = z.infer<typeof PlatformProfileSchema>;

/** A fetched document as a platform profile, or `profile_malformed` naming what is wrong. */
export function parsePlatformProfile(
  document: unknown,
): NegotiationStep<PlatformProfile, 'profile_malformed'> {
  const parsed = PlatformProfileSchema.safeParse(document);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = describeIssues(parsed.error).slice(0, 5).join('; ');
  return failed('profile_malformed', `the platform profile violates the UCP schema: ${problems}`);
}
