/**
 * Two processes' worth of record slots (two module graphs, loaded apart with
 * `vi.resetModules`, each with its own slots and started ids) over one memory store: a
 * requester's check budget stays exact when the checks alternate between them, so a slot
 * never answers for a record the other "process" changed. (The multi-process race tests run
 * without the abuse defenses; this is the budgets' cross-process check on the slots.)
 */
import { describe, expect, it, vi } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { outboxSender } from '../../src/senders/outbox';
import { SECRET } from '../support/setup';

async function load() {
  vi.resetModules();
  return (await import('../../src/index')).createVerifier;
}

describe('record slots per process', () => {
  it('a requester check budget is exact across two processes sharing a store', async () => {
    const A = await load();
    const B = await load();
    expect(A).not.toBe(B);
    const store = memoryStore();
    const outbox = outboxSender();
    const abuse = { requesters: { ip: { checks: [{ windowMs: 3_600_000, max: 7 }] } } };
    const opts = { secret: SECRET, store, sender: outbox, proof: false, abuse } as const;
    const a = A(opts);
    const b = B(opts);
    const context = { ip: '203.0.113.9' };
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      ids.push((await a.start({ phone: `+1213373425${i}`, context }))._unsafeUnwrap().id);
    }
    const codes: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const v = i % 3 === 0 ? a : b;
      const r = await v.check({ id: ids[i % 4]!, code: '000000', context });
      codes.push(r.isErr() ? r.error.code : 'ok');
    }
    expect(codes.filter((c) => c !== 'rate_limited')).toHaveLength(7);
    expect(codes.slice(7).every((c) => c === 'rate_limited')).toBe(true);
  });
});
