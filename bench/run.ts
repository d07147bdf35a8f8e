import type { Scenario } from './harness.js';
import { authScenario } from './scenarios/auth.js';
import { chatScenario } from './scenarios/chat.js';
import { conversationsScenario } from './scenarios/conversations.js';
import { historyScenario } from './scenarios/history.js';

// Each issue adds its scenario here. `npm run bench -- <name>` runs only the named ones.
const scenarios: Scenario[] = [authScenario, conversationsScenario, chatScenario, historyScenario];

const wanted = process.argv.slice(2);
let allPassed = true;
for (const scenario of scenarios) {
  if (wanted.length && !wanted.includes(scenario.name)) continue;
  console.log(`\n# ${scenario.name}`);
  allPassed = (await scenario.run()) && allPassed;
}
process.exit(allPassed ? 0 : 1);
