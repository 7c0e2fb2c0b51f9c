import {
  BUSINESS_CAPABILITIES,
  type CapabilityRegistry,
  UCP_OPERATION_CAPABILITY,
  type UcpOperation,
} from './capabilities.js';
import { intersection } from './intersection.js';
import type { Negotiated } from './negotiated.js';
import { failed, type NegotiationStep } from './negotiation-failure.js';
import type { PlatformProfile } from './platform-profile.js';
import { UCP_VERSION } from './version.js';

/**
 * Request-time validation (overview.md, "Versioning" → "Request-Time Validation"), for one
 * operation against a fetched platform profile:
 *
 * - the platform's protocol version must be ours: we implement one release and advertise no
 *   `supported_versions`, so any other version is `version_unsupported`;
 * - the capability intersection is computed (intersection.ts);
 * - the operation's own root capability must be in it, else `capabilities_incompatible`. The
 *   official samples skip this step and serve the operation anyway; the spec's step 3 does not.
 */
export function negotiate(
  platform: PlatformProfile,
  operation: UcpOperation,
  profileUrl: string,
  business: CapabilityRegistry = BUSINESS_CAPABILITIES,
): NegotiationStep<Negotiated, 'version_unsupported' | 'capabilities_incompatible'> {
  const version = platform.ucp.version;
  if (version !== UCP_VERSION)
    return failed(
      'version_unsupported',
      `Protocol version ${version} is not supported. This business implements version ${UCP_VERSION}.`,
    );
  const capabilities = intersection(business, platform.ucp.capabilities);
  const needed = UCP_OPERATION_CAPABILITY[operation];
  if (!(needed in capabilities))
    return failed(
      'capabilities_incompatible',
      `${operation} needs ${needed}, which the platform profile and this business share in no version.`,
    );
  return {
    ok: true,
    value: {
      version: UCP_VERSION,
      capabilities,
      profileUrl,
      ...(platform.signing_keys === undefined
        ? {}
        : { platformSigningKeys: platform.signing_keys }),
    },
  };
}
