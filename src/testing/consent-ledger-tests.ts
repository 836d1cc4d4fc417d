/**
 * The ConsentLedger contract's tests of reads, appends and concurrency
 * (`consent-ledger.ts` registers them). @internal
 * @module
 */
import { chainEntry, checkChain, checkHead } from '../consent/chain';
import type { ConsentEntry } from '../ports/consent-ledger';
import { add, type Harness, KEY, optIn, optOut, T0, verify } from './consent-ledger-fixtures';
import type { TestRunner } from './runner';

/** Part of the ConsentLedger contract. @internal */
export function readTests({ it, expect }: TestRunner, h: Harness): void {
  it('an unknown phone has an empty head and an empty history', async () => {
    const l = h().ledger;
    expect(await l.head('p-unknown')).toEqual({});
    expect(await l.list('p-unknown')).toEqual({ entries: [] });
  });

  it('append shows an empty head first, then the newest entry and its anchor', async () => {
    const l = h().ledger;
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
    const l = h().ledger;
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
    const l = h().ledger;
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
    const l = h().ledger;
    const stop = await add(l, 'p3m', { ...optOut(0), messageId: 'SM0123456789abcdef' });
    const [read] = (await l.list('p3m')).entries;
    expect(read).toEqual(stop);
    expect(read!.messageId).toBe('SM0123456789abcdef');
    expect((await verify(l, 'p3m')).valid).toBe(true);
    expect((await l.head('p3m')).entry).toEqual(stop);
  });
}

/** Part of the ConsentLedger contract: fields added to entries since the first version. @internal */
export function fieldTests({ it, expect }: TestRunner, h: Harness): void {
  it('the channel an entry came over round-trips and stays covered by the chain', async () => {
    const l = h().ledger;
    const stop = await add(l, 'p3w', { ...optOut(0), channel: 'whatsapp', messageId: 'wamid.1' });
    const [read] = (await l.list('p3w')).entries;
    expect(read).toEqual(stop);
    expect(read!.channel).toBe('whatsapp');
    expect((await verify(l, 'p3w')).valid).toBe(true);
  });
}

/** Part of the ConsentLedger contract. @internal */
export function appendTests({ it, expect }: TestRunner, h: Harness): void {
  it('a function without a write leaves the chain as it was', async () => {
    const l = h().ledger;
    await add(l, 'p4', optIn(0));
    const before = await l.list('p4');
    expect(await l.append('p4', (head) => ({ result: head.entry?.seq }))).toBe(1);
    expect(await l.list('p4')).toEqual(before);
    expect(await l.append('p-none', () => ({ result: 'nothing' }))).toBe('nothing');
    expect(await l.head('p-none')).toEqual({});
  });

  it('an error thrown by the function propagates and nothing is written', async () => {
    const l = h().ledger;
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
    const l = h().ledger;
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
    const l = h().ledger;
    const keys = ['k:a', 'k:b', 'k/a:b', 'x{y}z', 'ключ', 'A'.repeat(200)];
    for (const [i, k] of keys.entries()) {
      for (let j = 0; j <= i; j += 1) await add(l, k, optIn(j));
    }
    for (const [i, k] of keys.entries()) {
      const v = await verify(l, k);
      expect(v).toMatchObject({ valid: true, length: i + 1 });
    }
  });
}

/** Part of the ConsentLedger contract. @internal */
export function concurrencyTests({ it, expect }: TestRunner, h: Harness): void {
  it('concurrent appends on one phone keep a single valid chain and lose nothing', async () => {
    const l = h().ledger;
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
    const l = h().ledger;
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
    const l = h().ledger;
    await Promise.all(Array.from({ length: 50 }, (_, i) => add(l, `multi:${i % 5}`, optIn(i))));
    for (let i = 0; i < 5; i += 1) {
      expect(await verify(l, `multi:${i}`)).toMatchObject({ valid: true, length: 10 });
    }
  });
}
