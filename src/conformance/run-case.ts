// Run one backend test case on an onnxflow backend and judge it.

import { InferenceSession } from '../engine/session.js';
import { type TestCase, loadCaseModel, loadDataSets, primaryOp } from './cases.js';
import { compareValues, DEFAULT_TOLERANCE } from './compare.js';

export type Status = 'pass' | 'fail' | 'error';

export interface CaseResult {
  id: string;
  group: string;
  op: string;
  status: Status;
  reason?: string;
  ms: number;
}

export async function runCase(c: TestCase, backend = 'cpu'): Promise<CaseResult> {
  const t0 = performance.now();
  let op = '?';
  const done = (status: Status, reason?: string): CaseResult => ({ id: c.id, group: c.group, op, status, reason, ms: Math.round(performance.now() - t0) });
  try {
    const model = loadCaseModel(c);
    op = primaryOp(c, model);
    const sets = loadDataSets(c, model);
    const session = await InferenceSession.create(model, { backend });
    // Each data set runs twice: the second run has shapes seen before, so it uses the planned memory
    // arena and replays the shape-derived values of the first (engine/shape-values.ts).
    for (const [si, set] of sets.entries()) {
      for (const rep of ['', ' (second run)']) {
        const results = await session.run(Object.fromEntries(set.inputs));
        for (const [name, expected] of set.outputs) {
          const why = compareValues(expected, results[name], DEFAULT_TOLERANCE, `set ${si}${rep} '${name}'`);
          if (why) return done('fail', why);
        }
      }
    }
    return done('pass');
  } catch (e) {
    const err = e as Error;
    return done('error', `${err.name}: ${err.message}`.split('\n')[0]!.slice(0, 400));
  }
}
