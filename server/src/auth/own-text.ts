/**
 * The text of `s` in a string of its own. V8 makes a cut (`slice`, `trim`, …) of 13 or more
 * characters a view that keeps the whole string it was cut from alive, and `toLowerCase` of a
 * string already in lower case is that string: what a long-lived map keeps as a key must be
 * copied, or a short key cut from a request (a token from its Authorization header, a login name
 * from its body) keeps all of the request's text for as long as the key is kept.
 */
export function ownText(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
