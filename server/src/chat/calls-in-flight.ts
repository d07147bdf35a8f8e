import type { Response } from 'express';
import onFinished from 'on-finished';
import { ErrorCodes } from './upstream-errors.js';

/**
 * The chat calls being answered. A server that stops after its grace period ends them through
 * their abort signal rather than by cutting their connections: a stream then ends with its error
 * frame, its partial reply is stored and its call recorded, as when upstream fails mid-way.
 */
export class CallsInFlight {
  readonly #controllers = new Set<AbortController>();
  #ended = false;

  /**
   * The abort controller of one call: aborted with `client_aborted` when its client goes away
   * before the answer is complete, or with `server_stopping` by `endAll`.
   */
  open(res: Response): AbortController {
    const controller = new AbortController();
    if (this.#ended) {
      controller.abort(ErrorCodes.serverStopping);
      return controller;
    }
    this.#controllers.add(controller);
    // onFinished also answers for a response whose client had already left (no 'close' to come).
    onFinished(res, () => {
      this.#controllers.delete(controller);
      if (!res.writableFinished) controller.abort(ErrorCodes.clientAborted);
    });
    return controller;
  }

  /** Ends every call in flight, and every call that starts from now on. */
  endAll(): void {
    this.#ended = true;
    for (const controller of this.#controllers) controller.abort(ErrorCodes.serverStopping);
  }
}
