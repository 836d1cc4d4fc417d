/**
 * The ConsentLedger port's contract suite. Every ledger adapter's test file calls
 * `consentLedgerContract` with a factory; a new ledger is done when it passes unchanged.
 * Entries are built with the real chain code, so the suite also proves that what the adapter
 * stores and returns still verifies, and that tampering with its storage is detected.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ConsentDraft,
  chainEntry,
  chainKey,
  checkChain,
  checkHead,
} from '../../src/consent/chain';
import type { ConsentEntry, ConsentLedger } from '../../src/ports/consent-ledger';

export interface ConsentLedgerHarness {
  readonly ledger: ConsentLedger;
  /** Removes every record the suite wrote (called before each test). */
  reset(): Promise<void>;
  /** Releases connections (called once at the end). */
  close(): Promise<void>;
  /** Simulates someone with direct write access to the ledger's storage (raw SQL...). */
  readonly tamper: {
    /** Overwrites fields of one stored entry in place. */
    edit(
      phoneKey: string,
      seq: number,
      patch: Partial<Pick<ConsentEntry, 'text' | 'at' | 'kind' | 'ip' | 'version'>>,
    ): Promise<void>;
    /** Deletes one stored entry and nothing else (the anchor stays). */
    remove(phoneKey: string, seq: number): Promise<void>;
  };
}

const KEY = chainKey(Buffer.alloc(32, 7));
const T0 = 1_893_456_000_123; // 2030, beyond 32-bit seconds: exercises bigint columns

const optIn = (i: number, extra: Partial<ConsentDraft> = {}): ConsentDraft => ({
  kind: 'opted_in',
  at: T0 + i,
  source: 'web_form',
  text: `I agree to receive codes (${i}).`,
  version: String(1 + (i % 3)),
  ...extra,
});
const optOut = (i: number): ConsentDraft => ({
  kind: 'opted_out',
  at: T0 + i,
  source: 'sms_keyword',
  keyword: 'STOP',
  text: ' stop! ',
});

/** Appends a draft; resolves with the entry written. */
const add = (l: ConsentLedger, pk: string, d: ConsentDraft) =>
  l.append(pk, (head) => {
    const write = chainEntry(KEY, pk, head, d);
    return { result: write.entry, write };
  });

const verify = async (l: ConsentLedger, pk: string) => checkChain(KEY, pk, await l.list(pk));

export function consentLedgerContract(
  name: string,
  make: () => Promise<ConsentLedgerHarness>,
): void {
  describe(`ConsentLedger contract: ${name}`, () => {
    let h: ConsentLedgerHarness;
    let l: ConsentLedger;
    beforeAll(async () => {
      h = await make();
      l = h.ledger;
    });
    beforeEach(async () => {
      await h.reset();
    });
    afterAll(async () => {
      await h.close();
    });

    it('an unknown phone has an empty head and an empty history', async () => {
      expect(await l.head('p-unknown')).toEqual({});
      expect(await l.list('p-unknown')).toEqual({ entries: [] });
    });

    it('append shows an empty head first, then the newest entry and its anchor', async () => {
      const seen: unknown[] = [];
      const first = await l.append('p1', (head) => {
        seen.push(head);
        const write = chainEntry(KEY, 'p1', head, optIn(0));
        return { result: write, write };
      });
      expect(seen.at(-1)).toEqual({});
      expect(await l.head('p1')).toEqual({ entry: first.entry, anchor: first.anchor });
      const second = await add(l, 'p1', optOut(1));
      expect(second.seq).toBe(2);
      expect(second.prev).toBe(first.entry.hash);
      const head = await l.head('p1');
      expect(head.entry).toEqual(second);
      expect(checkHead(KEY, 'p1', head)).toBeUndefined();
    });

    it('list returns every entry in append order, exactly as written', async () => {
      const written: ConsentEntry[] = [];
      for (let i = 0; i < 12; i += 1)
        written.push(await add(l, 'p2', i % 4 === 3 ? optOut(i) : optIn(i)));
      const chain = await l.list('p2');
      expect(chain.entries).toEqual(written);
      expect(chain.entries.map((e) => e.seq)).toEqual(written.map((_, i) => i + 1));
      expect(checkChain(KEY, 'p2', chain)).toEqual({
        valid: true,
        length: 12,
        head: { seq: 12, hash: written[11]!.hash },
      });
    });

    it('values round-trip exactly; absent optional fields stay absent (not null)', async () => {
      const text = `Consent — é•☎ "quoted" \\ ${'x'.repeat(9_000)}`;
      const withPersonal = optIn(0, {
        text,
        ip: '2001:db8::1',
        userAgent: 'Mozilla/5.0 (X11; Linux) ☎',
        salt: 'c2FsdHNhbHRzYWx0',
      });
      const a = await add(l, 'p3', withPersonal);
      const b = await add(l, 'p3', optOut(1));
      const [ra, rb] = (await l.list('p3')).entries;
      expect(ra).toEqual(a);
      expect(rb).toEqual(b);
      expect(ra!.text).toBe(text);
      expect(ra!.at).toBe(T0);
      expect(Object.keys(rb!).sort()).toEqual(
        ['at', 'hash', 'keyword', 'kind', 'prev', 'seq', 'source', 'text'].sort(),
      );
      expect((await verify(l, 'p3')).valid).toBe(true);
    });

    it("an inbound keyword's provider message id round-trips and stays covered by the chain", async () => {
      const stop = await add(l, 'p3m', { ...optOut(0), messageId: 'SM0123456789abcdef' });
      const [read] = (await l.list('p3m')).entries;
      expect(read).toEqual(stop);
      expect(read!.messageId).toBe('SM0123456789abcdef');
      expect((await verify(l, 'p3m')).valid).toBe(true);
      expect((await l.head('p3m')).entry).toEqual(stop);
    });

    it('a function without a write leaves the chain as it was', async () => {
      await add(l, 'p4', optIn(0));
      const before = await l.list('p4');
      expect(await l.append('p4', (head) => ({ result: head.entry?.seq }))).toBe(1);
      expect(await l.list('p4')).toEqual(before);
      expect(await l.append('p-none', () => ({ result: 'nothing' }))).toBe('nothing');
      expect(await l.head('p-none')).toEqual({});
    });

    it('an error thrown by the function propagates and nothing is written', async () => {
      await add(l, 'p5', optIn(0));
      const boom = new Error('append failed');
      await expect(
        l.append('p5', () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect((await l.list('p5')).entries).toHaveLength(1);
    });

    it('an entry whose seq does not follow the head is refused with a RangeError', async () => {
      await add(l, 'p6', optIn(0));
      const before = await l.list('p6');
      await expect(
        l.append('p6', () => {
          const write = chainEntry(KEY, 'p6', {}, optIn(1)); // built as if the chain were empty
          return { result: 0, write };
        }),
      ).rejects.toBeInstanceOf(RangeError);
      expect(await l.list('p6')).toEqual(before);
    });

    it('phones are independent, including keys with separators and unicode', async () => {
      const keys = ['k:a', 'k:b', 'k/a:b', 'x{y}z', 'ключ', 'A'.repeat(200)];
      for (const [i, k] of keys.entries()) {
        for (let j = 0; j <= i; j += 1) await add(l, k, optIn(j));
      }
      for (const [i, k] of keys.entries()) {
        const v = await verify(l, k);
        expect(v).toMatchObject({ valid: true, length: i + 1 });
      }
    });

    it('concurrent appends on one phone keep a single valid chain and lose nothing', async () => {
      const n = 60;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => add(l, 'hot', i % 2 ? optOut(i) : optIn(i))),
      );
      const chain = await l.list('hot');
      expect(chain.entries).toHaveLength(n);
      expect(new Set(results.map((e) => e.seq)).size).toBe(n);
      expect(checkChain(KEY, 'hot', chain)).toMatchObject({ valid: true, length: n });
      const byAt = new Set(chain.entries.map((e) => e.at));
      expect(byAt.size).toBe(n); // every append landed exactly once
    });

    it('head reads are consistent snapshots while appends race (anchor matches entry)', async () => {
      const problems: unknown[] = [];
      await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          await add(l, 'snap', optIn(i));
          const head = await l.head('snap');
          const p = checkHead(KEY, 'snap', head);
          if (p) problems.push(p);
        }),
      );
      expect(problems).toEqual([]);
      expect((await verify(l, 'snap')).valid).toBe(true);
    });

    it('concurrent appends on different phones do not interfere', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => add(l, `multi:${i % 5}`, optIn(i))));
      for (let i = 0; i < 5; i += 1) {
        expect(await verify(l, `multi:${i}`)).toMatchObject({ valid: true, length: 10 });
      }
    });

    it('an edit of any stored entry is detected', async () => {
      for (let i = 0; i < 4; i += 1)
        await add(l, 'ed', optIn(i, { ip: '192.0.2.1', salt: `s${i}` }));
      await h.tamper.edit('ed', 2, { text: 'I agree to everything.' });
      expect(await verify(l, 'ed')).toMatchObject({ valid: false, seq: 2, problem: 'hash' });
      await h.reset();
      for (let i = 0; i < 4; i += 1)
        await add(l, 'ed', optIn(i, { ip: '192.0.2.1', salt: `s${i}` }));
      await h.tamper.edit('ed', 3, { ip: '198.51.100.7' });
      expect(await verify(l, 'ed')).toMatchObject({ valid: false, seq: 3, problem: 'personal' });
      await h.tamper.edit('ed', 3, { ip: '192.0.2.1' });
      await h.tamper.edit('ed', 4, { kind: 'opted_out' });
      expect(await verify(l, 'ed')).toMatchObject({ valid: false, seq: 4, problem: 'hash' });
      expect(checkHead(KEY, 'ed', await l.head('ed'))).toEqual({ seq: 4, problem: 'hash' });
    });

    it('deleting an entry in the middle or at the tail is detected', async () => {
      for (let i = 0; i < 5; i += 1) await add(l, 'del', i === 4 ? optOut(i) : optIn(i));
      await h.tamper.remove('del', 3);
      expect(await verify(l, 'del')).toMatchObject({ valid: false, seq: 3, problem: 'sequence' });
      await h.reset();
      for (let i = 0; i < 5; i += 1) await add(l, 'del', i === 4 ? optOut(i) : optIn(i));
      await h.tamper.remove('del', 5); // the newest opt-out: the prefix alone is a valid chain
      expect(await verify(l, 'del')).toMatchObject({ valid: false, seq: 5, problem: 'truncated' });
      expect(checkHead(KEY, 'del', await l.head('del'))).toEqual({ seq: 5, problem: 'truncated' });
    });

    it('redact erases personal fields only; the chain still verifies', async () => {
      await add(l, 'red', optIn(0, { ip: '192.0.2.1', userAgent: 'UA', salt: 'salt0' }));
      await add(l, 'red', optOut(1));
      await add(l, 'red', optIn(2, { userAgent: 'UA2', salt: 'salt2' }));
      const before = (await l.list('red')).entries;
      expect(await l.redact('red', T0 + 100)).toBe(2);
      const after = await l.list('red');
      for (const [i, e] of after.entries.entries()) {
        const { ip: _i, userAgent: _u, salt: _s, ...kept } = before[i]!;
        if (i === 1) expect(e).toEqual(before[i]);
        else expect(e).toEqual({ ...kept, redactedAt: T0 + 100 });
      }
      expect(checkChain(KEY, 'red', after)).toMatchObject({ valid: true, length: 3 });
      expect(await l.redact('red', T0 + 200)).toBe(0);
      expect(await l.redact('p-none', T0)).toBe(0);
      expect((await add(l, 'red', optOut(3))).seq).toBe(4);
      expect((await verify(l, 'red')).valid).toBe(true);
    });

    it('purge deletes the chain and anchor only if the head is still the one named', async () => {
      await add(l, 'pg', optIn(0));
      await add(l, 'pg', optOut(1));
      await add(l, 'other', optIn(0));
      expect(await l.purge('pg', 1)).toBe(false);
      expect((await l.list('pg')).entries).toHaveLength(2);
      expect(await l.purge('pg', 2)).toBe(true);
      expect(await l.head('pg')).toEqual({});
      expect(await l.list('pg')).toEqual({ entries: [] });
      expect(await l.purge('pg', 2)).toBe(false);
      expect((await verify(l, 'other')).valid).toBe(true);
      expect((await add(l, 'pg', optIn(5))).seq).toBe(1);
    });
  });
}
