import { profileOutput } from '../../adapters/mcp/decision-output.js';
import type { readinessTools } from '../../adapters/mcp/readiness-tools.js';
import type { ProfileService } from '../../services/profile-service.js';
import { bindTool, type ToolBinding } from './tool-runner.js';

/** The read-only tools over the profile service: what it serves is what the tool says. */
export function readinessBindings(
  tools: ReturnType<typeof readinessTools>,
  profiles: ProfileService,
): ToolBinding[] {
  return [
    bindTool(tools.getProductReadiness, async ({ productId, context }, caller) => {
      const found = await profiles.lookup(caller.tenant, productId, context);
      return profileOutput(found.profile, found.source !== 'unknown');
    }),
  ];
}
