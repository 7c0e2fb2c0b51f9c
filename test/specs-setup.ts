import { SPECS_DIR, specsAvailable } from './helpers/specs.js';

/**
 * Once per run: where the official specifications are missing, say in one line why the tests that
 * validate against them are skipped; under REQUIRE_SPECS=1 (set by .ci/run) fail the run instead,
 * so CI never passes without them.
 */
export function setup(): void {
  if (specsAvailable) return;
  const missing = `no official specifications at ${SPECS_DIR} (SPECS_DIR, default ../shared/specs)`;
  if (process.env.REQUIRE_SPECS === '1')
    throw new Error(`REQUIRE_SPECS=1 but ${missing}: check out shared/ beside the repository`);
  console.log(
    `Skipping the tests that validate against official schemas: ${missing}. REQUIRE_SPECS=1 makes this an error.`,
  );
}
