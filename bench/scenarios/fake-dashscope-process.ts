import { FakeDashScope } from '../../tests/support/fake-dashscope.js';

/**
 * The fake DashScope as a process of its own (forked by the chat scenario), so that its work does
 * not share an event loop with the app being measured. argv[2]: ms the model takes to answer.
 */
const modelMs = Number(process.argv[2] ?? 0);
const fake = await FakeDashScope.start({ record: false, behaviour: modelMs ? { firstByteDelayMs: modelMs } : {} });
process.send?.(fake.baseUrl);
process.on('disconnect', () => {
  void fake.close().then(() => process.exit(0));
});
