/** The SDK's numeric options, checked where they are given rather than failing every call later. */

/** setTimeout's longest delay: a longer one fires at once (Node warns, browsers do not). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timeout as given (ms), checked where it is given rather than failing every call later. */
export function checkTimeout(timeout: number | undefined): number | undefined {
  if (timeout !== undefined && !(timeout > 0 && timeout <= MAX_TIMER_MS)) {
    throw new RangeError(`timeout must be a number of ms from 1 to ${MAX_TIMER_MS}, not ${timeout}`);
  }
  return timeout;
}

/** A longest retry delay as given (ms; 0 allowed: retry at once), checked where it is given. */
export function checkDelay(delay: number | undefined): number | undefined {
  if (delay !== undefined && !(delay >= 0 && delay <= MAX_TIMER_MS)) {
    throw new RangeError(`maxRetryDelay must be a number of ms from 0 to ${MAX_TIMER_MS}, not ${delay}`);
  }
  return delay;
}

/** A retry count as given, checked where it is given. */
export function checkRetries(maxRetries: number | undefined): number | undefined {
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    throw new RangeError(`maxRetries must be an integer from 0, not ${maxRetries}`);
  }
  return maxRetries;
}
