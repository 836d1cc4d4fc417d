/**
 * The verifier's per-process caches (decoded records, parsed numbers) are only ever
 * shortcuts: a record another instance changed is read as it is now, and what a cache holds
 * stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { Recent } from '../../src/recent';
import { keyring, seal } from '../../src/secrets';
import { outboxSender } from '../../src/senders/outbox';
import { PHONE, SECRET } from '../support/setup';

describe('Recent', () => {
  it('keeps at most its capacity, dropping the least recently set first', () => {
    const r = new Recent<number>(64);
    for (let i = 0; i < 1000; i += 1) {
      r.set(`k${i}`, i);
      if (i % 10 === 0) r.set('hot', i); // set again: most recent
      expect(r.size).toBeLessThanOrEqual(64);
    }
    expect(r.get('k999')).toBe(999);
    expect(r.get('hot')).toBe(990);
    expect(r.get('k0')).toBeUndefined();
    r.delete('hot');
    expect(r.get('hot')).toBeUndefined();
  });
});

describe('verifier caches across instances sharing one store', () => {
  it('a record another verifier changed is decoded afresh, never served from the cache', async () => {
    const store = memoryStore();
    const outbox = outboxSender();
    const options = { secret: SECRET, store, sender: outbox, proof: false, abuse: false } as const;
    const a = createVerifier(options);
    const b = createVerifier(options);
    const s = (await a.start({ phone: PHONE }))._unsafeUnwrap();
    const code = outbox.last()!.code;
    const wrong = code === '000000' ? '111111' : '000000';
    // b spends two checks; a, whose cache holds the record it wrote, must see them.
    for (let i = 0; i < 2; i += 1) {
      expect((await b.check({ id: s.id, code: wrong }))._unsafeUnwrapErr().code).toBe(
        'code_mismatch',
      );
    }
    expect((await a.status({ id: s.id }))._unsafeUnwrap().attemptsLeft).toBe(3);
    expect((await a.check({ id: s.id, code: wrong }))._unsafeUnwrapErr().attemptsLeft).toBe(2);
    // b approves; a's next check sees the approval, not its cached pending record.
    expect((await b.check({ id: s.id, code }))._unsafeUnwrap().status).toBe('approved');
    expect((await a.status({ id: s.id }))._unsafeUnwrap().status).toBe('approved');
    expect((await a.check({ id: s.id, code })).isErr()).toBe(true);
  });

  it('parsed numbers are kept per verifier (abuse defenses on): allowed countries still apply', async () => {
    const store = memoryStore();
    const outbox = outboxSender();
    const open = createVerifier({ secret: SECRET, store, sender: outbox });
    const usOnly = createVerifier({
      secret: SECRET,
      store,
      sender: outbox,
      allowedCountries: ['US'],
    });
    const uk = '+447400123456';
    expect((await open.start({ phone: uk })).isOk()).toBe(true);
    expect((await usOnly.start({ phone: uk }))._unsafeUnwrapErr().code).toBe('country_not_allowed');
    // The refusal is not cached as a number: asked again, the same answer.
    expect((await usOnly.start({ phone: uk }))._unsafeUnwrapErr().code).toBe('country_not_allowed');
    expect((await open.start({ phone: 'not a number' }))._unsafeUnwrapErr().code).toBe(
      'invalid_phone',
    );
  });
});

describe("ids kept from this verifier's starts", () => {
  const options = (
    store: ReturnType<typeof memoryStore>,
    sender: ReturnType<typeof outboxSender>,
  ) => ({ secret: SECRET, store, sender, proof: false, abuse: false }) as const;

  it('a check by id answers alike in the process that started it and in another', async () => {
    const store = memoryStore();
    const outbox = outboxSender();
    const a = createVerifier(options(store, outbox));
    const b = createVerifier(options(store, outbox));
    const warm = (await a.start({ phone: PHONE }))._unsafeUnwrap();
    const warmCode = outbox.last()!.code;
    const cold = (await a.start({ phone: '+12133734254' }))._unsafeUnwrap();
    const coldCode = outbox.last()!.code;
    expect((await a.check({ id: warm.id, code: warmCode }))._unsafeUnwrap().phone).toBe(PHONE);
    expect((await b.check({ id: cold.id, code: coldCode }))._unsafeUnwrap().phone).toBe(
      '+12133734254',
    );
    // An altered kept id is not one of ours: not_found, as anywhere else.
    const altered = `${warm.id.slice(0, -1)}${warm.id.endsWith('A') ? 'B' : 'A'}`;
    expect((await a.check({ id: altered, code: warmCode }))._unsafeUnwrapErr().code).toBe(
      'not_found',
    );
    expect((await a.status({ id: altered }))._unsafeUnwrapErr().code).toBe('not_found');
  });

  it('the number answered is the one the record holds, not the one kept at the start', async () => {
    const store = memoryStore();
    const outbox = outboxSender();
    const a = createVerifier(options(store, outbox));
    const s = (await a.start({ phone: PHONE }))._unsafeUnwrap();
    const code = outbox.last()!.code;
    // The record's sealed number replaced (as another process could, or a restore).
    const other = '+12133734299';
    const blob = seal(keyring(SECRET), 'phone-number', other, new Uint8Array(12).fill(7));
    const [key] = store.entries().find(([k]) => k.startsWith('phone:'))!;
    await store.update(key, (raw) => {
      const r = JSON.parse(raw!) as { verifications: { sealed: string }[] };
      r.verifications[0]!.sealed = blob;
      return { result: undefined, write: { value: JSON.stringify(r), ttlMs: 60_000 } };
    });
    expect((await a.check({ id: s.id, code }))._unsafeUnwrap().phone).toBe(other);
  });
});

describe('results do not expose cached state', () => {
  it('mutating what status returns does not change what the verifier stored', async () => {
    const store = memoryStore();
    const outbox = outboxSender();
    const v = createVerifier({ secret: SECRET, store, sender: outbox, proof: false, abuse: false });
    const s = (await v.start({ phone: PHONE }))._unsafeUnwrap();
    const first = (await v.status({ id: s.id }))._unsafeUnwrap();
    expect(first.attempts).toHaveLength(1);
    // A caller (plain JavaScript, or a cast) scribbles over the result.
    (first.attempts as unknown as { state: string }[])[0]!.state = 'delivered';
    (first.attempts as unknown as unknown[]).push({ bogus: true });
    const again = (await v.status({ id: s.id }))._unsafeUnwrap();
    expect(again.attempts).toHaveLength(1);
    expect(again.attempts[0]!.state).toBe('queued');
    // And the next write stores the record as it was, not the scribbles.
    await v.check({ id: s.id, code: outbox.last()!.code === '000000' ? '111111' : '000000' });
    const raw = store
      .entries()
      .map(([, value]) => value)
      .join('\n');
    expect(raw).not.toContain('bogus');
    expect(raw).not.toContain('delivered');
  });
});

describe('started ids are kept per verifier', () => {
  const OTHER = 'another-tenant-secret-another-tenant-secret!';
  it("another verifier (another secret) in this process does not find this verifier's start", async () => {
    const store = memoryStore();
    const outbox = outboxSender();
    const common = { store, sender: outbox, proof: false, abuse: false } as const;
    const a = createVerifier({ secret: SECRET, ...common });
    const b = createVerifier({ secret: OTHER, ...common });
    const s = (await a.start({ phone: PHONE }))._unsafeUnwrap();
    const code = outbox.last()!.code;
    expect((await b.status({ id: s.id }))._unsafeUnwrapErr().code).toBe('not_found');
    expect((await b.check({ id: s.id, code }))._unsafeUnwrapErr().code).toBe('not_found');
    expect((await b.cancel({ id: s.id }))._unsafeUnwrapErr().code).toBe('not_found');
    expect((await a.check({ id: s.id, code }))._unsafeUnwrap().phone).toBe(PHONE);
  });
});
