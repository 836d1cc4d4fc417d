/**
 * The ConsentLedger contract's tests of damage and erasure: edited and deleted entries are
 * detected, redaction and conditional purge (`consent-ledger.ts` registers them). @internal
 * @module
 */
import { checkChain, checkHead } from '../consent/chain';
import { add, type Harness, KEY, optIn, optOut, T0, verify } from './consent-ledger-fixtures';
import type { TestRunner } from './runner';

/** Part of the ConsentLedger contract. @internal */
export function tamperTests({ it, expect }: TestRunner, h: Harness): void {
  it('an edit of any stored entry is detected', async () => {
    const l = h().ledger;
    for (let i = 0; i < 4; i += 1) await add(l, 'ed', optIn(i, { ip: '192.0.2.1', salt: `s${i}` }));
    await h().tamper.edit('ed', 2, { text: 'I agree to everything.' });
    expect(await verify(l, 'ed')).toMatchObject({ valid: false, seq: 2, problem: 'hash' });
    await h().reset();
    for (let i = 0; i < 4; i += 1) await add(l, 'ed', optIn(i, { ip: '192.0.2.1', salt: `s${i}` }));
    await h().tamper.edit('ed', 3, { ip: '198.51.100.7' });
    expect(await verify(l, 'ed')).toMatchObject({ valid: false, seq: 3, problem: 'personal' });
    await h().tamper.edit('ed', 3, { ip: '192.0.2.1' });
    await h().tamper.edit('ed', 4, { kind: 'opted_out' });
    expect(await verify(l, 'ed')).toMatchObject({ valid: false, seq: 4, problem: 'hash' });
    expect(checkHead(KEY, 'ed', await l.head('ed'))).toEqual({ seq: 4, problem: 'hash' });
  });

  it('deleting an entry in the middle or at the tail is detected', async () => {
    const l = h().ledger;
    for (let i = 0; i < 5; i += 1) await add(l, 'del', i === 4 ? optOut(i) : optIn(i));
    await h().tamper.remove('del', 3);
    expect(await verify(l, 'del')).toMatchObject({ valid: false, seq: 3, problem: 'sequence' });
    await h().reset();
    for (let i = 0; i < 5; i += 1) await add(l, 'del', i === 4 ? optOut(i) : optIn(i));
    await h().tamper.remove('del', 5); // the newest opt-out: the prefix alone is a valid chain
    expect(await verify(l, 'del')).toMatchObject({ valid: false, seq: 5, problem: 'truncated' });
    expect(checkHead(KEY, 'del', await l.head('del'))).toEqual({ seq: 5, problem: 'truncated' });
  });
}

/** Part of the ConsentLedger contract. @internal */
export function erasureTests({ it, expect }: TestRunner, h: Harness): void {
  it('redact erases personal fields only; the chain still verifies', async () => {
    const l = h().ledger;
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
    const l = h().ledger;
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
}
