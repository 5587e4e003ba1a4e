// Node warnings fail the tests: in the test process here, and in every run of the binary (helpers/cronwrap.ts).
import { afterEach } from 'vitest';

const warnings: Error[] = [];
process.on('warning', (warning) => warnings.push(warning));

afterEach(() => {
  const seen = warnings.splice(0);
  if (seen.length > 0) throw new Error(`Node warned: ${seen.map((w) => `${w.name}: ${w.message}`).join('; ')}`);
});
