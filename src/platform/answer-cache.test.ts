import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answer-cache.ts';

describe('answer cache', () => {
  it('computes an answer once, until the data version changes', async () => {
    let version = 'v1';
    let computed = 0;
    const cache = new AnswerCache(() => version);
    const answer = () => cache.get('carte', async () => ++computed);
    expect(await answer()).toBe(1);
    expect(await answer()).toBe(1);
    version = 'v2';
    expect(await answer()).toBe(2);
  });

  it('keeps the most recently used answers within its bound, and forgets a failure', async () => {
    const cache = new AnswerCache(() => 'v', 2);
    let computed = 0;
    const get = (k: string) => cache.get(k, async () => `${k}${++computed}`);
    await get('a');
    await get('b');
    await get('a'); // a is now the most recent
    await get('c'); // b goes
    expect(await get('a')).toBe('a1');
    expect(await get('b')).toBe('b4');
    await expect(cache.get('x', () => Promise.reject(new Error('panne')))).rejects.toThrow('panne');
    expect(await cache.get('x', async () => 'ok')).toBe('ok');
  });
});
