/**
 * An id as the URL path carries it. ts-rest leaves a falsy path parameter (and its `/`) out of the
 * URL, so id 0 (or NaN) asked for `/api/conversations`, the list, instead of being refused. As text every
 * number reaches the server, which answers 400 for anything but a positive integer. The cast is
 * to the contract's input type: ts-rest writes the value into the path as it is either way.
 */
export function pathId(id: number): number {
  return String(id) as unknown as number;
}
