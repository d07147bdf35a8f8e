import type { ClientCore } from '../api.js';
import type { RequestOptions } from '../types.js';
import { unwrap } from '../unwrap.js';

/** The models the server allows (an extension to the spec). */
export function modelsResource({ api }: ClientCore) {
  return {
    list: (options?: RequestOptions) => unwrap(api.models.list({ fetchOptions: options })),
  };
}
