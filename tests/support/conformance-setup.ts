import { afterAll, afterEach } from 'vitest';
import { takeViolations } from './conformance-watch.js';

/**
 * Fails the test during which a test app answered something openapi.json does not describe (see
 * watchConformance in startTestApp). Answers given in a file's beforeAll count for its first test;
 * answers that end after the last test (a stream still closing) fail the file.
 */
function failOnViolations(): void {
  const found = takeViolations();
  if (found.length) throw new Error(`answers that openapi.json does not describe:\n${found.join('\n')}`);
}

afterEach(failOnViolations);
afterAll(failOnViolations);
