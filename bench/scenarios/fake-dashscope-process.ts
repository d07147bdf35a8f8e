import { FakeDashScope } from '../../tests/support/fake-dashscope.js';
import { seededRandom } from '../../tests/support/seeded-random.js';

/** How long the fake model takes: always `modelMs`, or spread evenly over modelMs ± 50%. */
export type ModelTiming = 'fixed' | 'spread';

const SEED = 20261124;

/**
 * The fake DashScope as a process of its own (forked by the chat scenario), so that its work does
 * not share an event loop with the app being measured. argv[2]: the ms the model takes (on
 * average). A message naming a ModelTiming switches to it and restarts the seeded sequence of
 * spread times, so that every run of the bench draws the same times in the same order; the
 * process answers 'ready' once it has.
 */
const modelMs = Number(process.argv[2] ?? 0);
let timing: ModelTiming = 'fixed';
let random = seededRandom(SEED);

function modelTime(): number {
  return timing === 'fixed' ? modelMs : Math.round(modelMs * (0.5 + random()));
}

const fake = await FakeDashScope.start({ record: false, behaviour: () => ({ firstByteDelayMs: modelTime() }) });
process.on('message', (message: ModelTiming) => {
  timing = message;
  random = seededRandom(SEED);
  process.send?.('ready');
});
process.send?.(fake.baseUrl);
process.on('disconnect', () => {
  void fake.close().then(() => process.exit(0));
});
