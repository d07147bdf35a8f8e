import { createSecretKey, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessTokenVerifier, signAccessToken } from '../server/src/auth/tokens.js';
import { reachableStringsStartingWith } from './support/heap.js';

const key = createSecretKey(Buffer.from('a-test-secret-that-is-at-least-32-bytes'));
const otherKey = createSecretKey(Buffer.from('another-secret-that-is-at-least-32-bytes'));
const now = () => Date.now() / 1000;

describe('AccessTokenVerifier', () => {
  it('accepts a token it issued and remembers it', () => {
    const verifier = new AccessTokenVerifier(key);
    const token = signAccessToken({ userId: 7, sessionId: 3 }, key, 60);
    expect(verifier.verify(token)).toEqual({ userId: 7, sessionId: 3 });
    expect(verifier.size).toBe(1);
    expect(verifier.verify(token)).toEqual({ userId: 7, sessionId: 3 });
    expect(verifier.size).toBe(1);
  });

  it('stops accepting a remembered token at its own expiry, and forgets it', () => {
    const verifier = new AccessTokenVerifier(key);
    const token = signAccessToken({ userId: 7, sessionId: 3 }, key, 60);
    expect(verifier.verify(token)).not.toBeNull();
    expect(verifier.verify(token, now() + 61)).toBeNull();
    expect(verifier.size).toBe(0);
  });

  it('refuses an altered copy of a remembered token, and one signed with another key', () => {
    const verifier = new AccessTokenVerifier(key);
    const token = signAccessToken({ userId: 7, sessionId: 3 }, key, 60);
    expect(verifier.verify(token)).not.toBeNull();
    const [header, payload, signature] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: '8' })).toString('base64url');
    expect(verifier.verify(`${header}.${otherPayload}.${signature}`)).toBeNull();
    expect(verifier.verify(signAccessToken({ userId: 7, sessionId: 3 }, otherKey, 60))).toBeNull();
    expect(verifier.size).toBe(1);
  });

  it('remembers at most its capacity, forgetting the oldest first', () => {
    const verifier = new AccessTokenVerifier(key, 2);
    const tokens = [1, 2, 3].map((sessionId) => signAccessToken({ userId: 1, sessionId }, key, 60));
    for (const token of tokens) expect(verifier.verify(token)).not.toBeNull();
    expect(verifier.size).toBe(2);
    // The oldest is verified afresh (and still accepted): forgetting costs time, never correctness.
    expect(verifier.verify(tokens[0]!)).toEqual({ userId: 1, sessionId: 1 });
  });

  it('remembers a token as its own text, not the larger string it was cut from', async () => {
    const verifier = new AccessTokenVerifier(key);
    const token = signAccessToken({ userId: 7, sessionId: 3 }, key, 60);
    // A token as authentication hands it over: cut from its Authorization header, which may pad it
    // with up to 16 KB of spaces (RFC 7235 allows any number after the scheme). A slice keeps the
    // whole header alive, 10,000 remembered tokens of 14 KB each were 140 MB.
    const marker = `header-${randomUUID()}`;
    let header: string | undefined = `${marker}${' '.repeat(14_000)}${token}`;
    const claims = verifier.verify(header.slice(header.length - token.length));
    header = undefined;
    expect(claims).toEqual({ userId: 7, sessionId: 3 });
    expect(verifier.size).toBe(1);
    expect(await reachableStringsStartingWith(`${marker} `)).toEqual([]);
    expect(verifier.verify(token)).toEqual({ userId: 7, sessionId: 3 });
  });
});
