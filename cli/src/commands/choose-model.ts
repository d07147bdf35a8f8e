import type { BailianClient } from '@bailian-chat/client';

/** The model asked for, else the first one the server offers (its own preferred default). */
export async function chooseModel(client: BailianClient, given: string | undefined): Promise<string> {
  if (given) return given;
  const { models } = await client.models.list();
  const first = models[0];
  if (!first) throw new Error('the server lists no models: pass one with --model');
  return first.model_name;
}
