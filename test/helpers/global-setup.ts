import { SKIP_REASON, hasSharedData } from './shared-data.js';

/** Says once, at the top of the run, why the tests on real archives are skipped. */
export default function setup(): void {
  if (!hasSharedData) process.stderr.write(`\nportbrief tests: skipping the tests on real archives, which ${SKIP_REASON}\n\n`);
}
