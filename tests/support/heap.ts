import { getHeapSnapshot } from 'node:v8';

/**
 * The strings still reachable in this process (a snapshot collects garbage first) that start with
 * `prefix`, each as V8 names it in a snapshot: its first 1,024 characters at most.
 */
export async function reachableStringsStartingWith(prefix: string): Promise<string[]> {
  let text = '';
  for await (const chunk of getHeapSnapshot()) text += chunk;
  const snapshot = JSON.parse(text);
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0];
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const found: string[] = [];
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const name: string = snapshot.strings[snapshot.nodes[i + nameAt]];
    if (types[snapshot.nodes[i + typeAt]] === 'string' && name.startsWith(prefix)) found.push(name);
  }
  return found;
}
