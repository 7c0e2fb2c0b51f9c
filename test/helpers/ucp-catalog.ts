import { UCP_CAPABILITY, type UcpCapabilityName } from '../../src/adapters/ucp/negotiated.js';
import type { UcpBlock } from '../../src/adapters/ucp/response-block.js';
import { UCP_VERSION } from '../../src/adapters/ucp/version.js';

/**
 * The `ucp` block negotiation would hand the catalog for one capability, standing in for the
 * negotiation hook in catalog tests: `{version, capabilities: {<name>: [{version}]}}`.
 */
export function catalogBlock(
  capability: UcpCapabilityName = UCP_CAPABILITY.catalogSearch,
): UcpBlock {
  return { version: UCP_VERSION, capabilities: { [capability]: [{ version: UCP_VERSION }] } };
}
