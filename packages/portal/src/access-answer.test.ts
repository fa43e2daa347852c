import type { SubjectAccess } from '@tillit/schema';
import { expectTypeOf, it } from 'vitest';
import type { AccessAnswer } from './access-answer.js';

// Checked by `tsc` (npm test's types step); the run itself only confirms the file loads.
it("the collector's Art. 15 answer is what the portal shows", () => {
  expectTypeOf<SubjectAccess>().toExtend<AccessAnswer>();
});
