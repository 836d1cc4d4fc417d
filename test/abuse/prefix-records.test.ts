/**
 * A prefix's conversion guard and the prefix limit with its trailing digits share one record
 * (`conv:pfx:…`): one update per start and per approval instead of two. Records written
 * before the merge are still read: the old velocity log (`pfx:<digits>:…`) is folded in.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import type { AbuseOptions } from '../../src/abuse/types';
import { createVerifier, type Store } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { SECRET, setup } from '../support/setup';
import { coarseNumbers, HOUR, outcome, tally } from './support';

const kindOf = (key: string) =>
  key
    .split(':')
    .slice(0, key.startsWith('conv:') ? 2 : 1)
    .join(':');

/** Counts `update` calls per kind of key (`phone`, `pfx`, `conv:pfx`, ...). */
function counting(store: Store) {
  const updates: string[] = [];
  const counted: Store = {
    update: (key, fn) => {
      updates.push(kindOf(key));
      return store.update(key, fn);
    },
    updateMany: (keys, fn) => {
      updates.push(...keys.map(kindOf));
      return store.updateMany(keys, fn);
    },
    get: (key) => store.get(key),
  };
  return { store: counted, updates };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('merged prefix records (defaults)', () => {
  it('keeps the 6-digit velocity log in the conversion record: three abuse updates per start and per approval', async () => {
    const t = setup();
    const c = counting(t.store);
    const verifier = createVerifier({ secret: SECRET, store: c.store, sender: t.outbox });
    const s = (await verifier.start({ phone: '+12133734253' }))._unsafeUnwrap();
    expect(c.updates.filter((k) => k !== 'phone').sort()).toEqual(['conv:cc', 'conv:pfx', 'pfx']);
    const keys = t.store.entries().map(([k]) => k);
    expect(keys.filter((k) => k.startsWith('pfx:6:'))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('pfx:4:'))).toHaveLength(1);
    const [, guard] = t.store.entries().find(([k]) => k.startsWith('conv:pfx:'))!;
    expect(JSON.parse(guard)).toMatchObject({ k: 'conv', b: [[expect.any(Number), 1, 0]] });
    expect(JSON.parse(guard).d).toHaveLength(1);

    c.updates.length = 0;
    expect(outcome(await verifier.check({ id: s.id, code: t.code() }))).toBe('ok');
    await settle();
    expect(c.updates.filter((k) => k !== 'phone').sort()).toEqual(['conv:cc', 'conv:pfx', 'pfx']);
    const [, after] = t.store.entries().find(([k]) => k.startsWith('conv:pfx:'))!;
    expect(JSON.parse(after)).toMatchObject({ b: [[expect.any(Number), 1, 1]], d: [] });
  });

  it('still refuses the 21st unverified number of a million block, and frees room on approval', async () => {
    const t = setup();
    const numbers = coarseNumbers(22);
    const rs = [];
    for (const phone of numbers.slice(0, 21)) rs.push(await t.verifier.start({ phone }));
    expect(tally(rs)).toEqual({ ok: 20, 'rate_limited/prefix': 1 });
    const first = t.outbox.messages[0]!;
    await t.verifier.check({ id: first.verificationId, code: first.code });
    await settle();
    expect(outcome(await t.verifier.start({ phone: numbers[20]! }))).toBe('ok');
    expect(outcome(await t.verifier.start({ phone: numbers[21]! }))).toBe('rate_limited/prefix');
  });

  it("ranks the merged record's velocity refusal with the prefix limits, after the country guard", async () => {
    const abuse: AbuseOptions = {
      requesters: false,
      prefixes: [{ trailingDigits: 6, windowMs: HOUR, max: 3 }],
      conversion: {
        scopes: ['prefix', 'country'],
        minSends: { prefix: 1_000, country: 3 },
        minRequesters: 1,
        windowMs: HOUR,
        graceMs: 60_000,
      },
    };
    const t = setup({ abuse });
    const numbers = coarseNumbers(4);
    for (const phone of numbers.slice(0, 3)) {
      expect(outcome(await t.verifier.start({ phone }))).toBe('ok');
    }
    t.advance(3 * 60_000);
    // Both the country guard (3 sends, no approval) and the block's limit (3 unverified) refuse.
    expect(outcome(await t.verifier.start({ phone: numbers[3]! }))).toBe(
      'destination_paused/country',
    );
  });
});

describe('records written before the merge', () => {
  it("fold the prefix's old velocity log into the conversion record", async () => {
    const clock = { now: 1_700_000_000_000 };
    const store = memoryStore({ now: () => clock.now });
    const make = (abuse: AbuseOptions) => {
      const outbox = outboxSender();
      const verifier = createVerifier({
        secret: SECRET,
        store,
        sender: outbox,
        now: () => clock.now,
        abuse,
      });
      return { verifier, outbox };
    };
    const limit = { trailingDigits: 6, windowMs: HOUR, max: 3 };
    const guard = { scopes: ['prefix' as const], minSends: { prefix: 1_000 } };
    // The old layout: a conversion record without a velocity log, and the log in its own record.
    const conversionOnly = make({ requesters: false, prefixes: false, conversion: guard });
    const velocityOnly = make({ requesters: false, prefixes: [limit], conversion: false });
    const numbers = coarseNumbers(5);
    expect(outcome(await conversionOnly.verifier.start({ phone: numbers[0]! }))).toBe('ok');
    for (const phone of numbers.slice(1, 4)) {
      expect(outcome(await velocityOnly.verifier.start({ phone }))).toBe('ok');
    }
    const legacy = store.entries().find(([k]) => k.startsWith('conv:pfx:'))!;
    expect(JSON.parse(legacy[1]).d).toBeUndefined();
    expect(store.entries().some(([k]) => k.startsWith('pfx:6:'))).toBe(true);

    // The merged layout sees the three unverified numbers of the old log.
    const merged = make({ requesters: false, prefixes: [limit], conversion: guard });
    expect(outcome(await merged.verifier.start({ phone: numbers[4]! }))).toBe(
      'rate_limited/prefix',
    );
    const folded = JSON.parse(store.entries().find(([k]) => k.startsWith('conv:pfx:'))![1]);
    expect(folded.d).toHaveLength(3);
    expect(folded.b[0][1]).toBe(1); // the conversion guard's own count is kept

    // An approval of a number of the old log frees its room in the merged record.
    const m = velocityOnly.outbox.messages[0]!;
    expect(outcome(await merged.verifier.check({ id: m.verificationId, code: m.code }))).toBe('ok');
    await settle();
    expect(outcome(await merged.verifier.start({ phone: numbers[4]! }))).toBe('ok');
  });

  it('a paused prefix in the old layout is refused without reading the old log', async () => {
    // A refusal that writes nothing needs no velocity log: folding it in there would cost a
    // read and a second update on every start into the paused prefix (pumping traffic).
    const clock = { now: 1_700_000_000_000 };
    const base = memoryStore({ now: () => clock.now });
    const reads: string[] = [];
    const { store, updates } = counting(base);
    const watched: Store = {
      update: store.update,
      updateMany: store.updateMany,
      get: (key) => {
        reads.push(kindOf(key));
        return base.get(key);
      },
    };
    const make = (abuse: AbuseOptions) =>
      createVerifier({
        secret: SECRET,
        store: watched,
        sender: outboxSender(),
        now: () => clock.now,
        abuse,
      });
    const guard = { scopes: ['prefix' as const], minSends: { prefix: 3 }, minRequesters: 1 };
    const limit = { trailingDigits: 6, windowMs: HOUR, max: 1_000 };
    const old = make({ requesters: false, prefixes: false, conversion: guard });
    const numbers = coarseNumbers(12);
    for (const phone of numbers.slice(0, 4)) expect(outcome(await old.start({ phone }))).toBe('ok');
    clock.now += 10 * 60_000; // past the grace: none of them approved, the prefix pauses
    expect(outcome(await old.start({ phone: numbers[4]! }))).toMatch(/^destination_paused/);
    const merged = make({ requesters: false, prefixes: [limit], conversion: guard });
    reads.length = 0;
    updates.length = 0;
    for (const phone of numbers.slice(5, 12)) {
      expect(outcome(await merged.start({ phone }))).toMatch(/^destination_paused/);
    }
    expect(reads.filter((k) => k === 'pfx')).toEqual([]);
    expect(updates.filter((k) => k === 'conv:pfx')).toHaveLength(7);
  });
});
