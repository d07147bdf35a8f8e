import type { ClientCore } from '../api.js';
import { paginate } from '../pagination.js';
import type { ListApiCallsQuery, RequestOptions, StatisticsQuery } from '../types.js';
import { unwrap } from '../unwrap.js';

/** Spec §5. */
export function historyResource({ api }: ClientCore) {
  const apiCalls = (query: ListApiCallsQuery = {}, options?: RequestOptions) =>
    unwrap(api.history.apiCalls({ query, fetchOptions: options }));

  return {
    apiCalls,
    /** Every API call matching `query`, newest first, page by page. */
    apiCallsAll: (query: ListApiCallsQuery = {}, options?: RequestOptions) =>
      paginate(
        async (page) => {
          const { api_calls, pagination } = await apiCalls({ ...query, page }, options);
          return { items: api_calls, pagination };
        },
        (call) => call.id,
        query.page,
      ),
    statistics: (query: StatisticsQuery = {}, options?: RequestOptions) =>
      unwrap(api.history.statistics({ query, fetchOptions: options })),
  };
}
