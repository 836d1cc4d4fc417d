/** The hash chain on its own: every kind of edit is detected, redaction is not an edit. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConsentDraft,
  chainEntry,
  chainKey,
  checkChain,
  verifyChain,
} from '../../src/consent/chain';
import type { ConsentChain, ConsentEntry, ConsentHead } from '../../src/ports/consent-ledger';
import { keyring, phoneKey } from '../../src/secrets';
import { PHONE, SECRET } from './support';

const ring = keyring(SECRET);
const KEY = chainKey(ring.lookup);
const PK = phoneKey(ring, PHONE);

const draftArb: fc.Arbitrary<ConsentDraft> = fc.oneof(
  fc.record({
    kind: fc.constant('opted_in' as const),
    at: fc.integer({ min: 0, max: 2 ** 45 }),
    source: fc.constantFrom('web_form', 'api', 'sms_keyword'),
    text: fc.string({ minLength: 1, maxLength: 40 }),
    version: fc.constantFrom('1', '2', 'v3'),
    ip: fc.constantFrom('192.0.2.1', '2001:db8::2'),
    salt: fc.base64String({ minLength: 4, maxLength: 24 }),
  }),
  fc.record({
    kind: fc.constant('opted_out' as const),
    at: fc.integer({ min: 0, max: 2 ** 45 }),
    source: fc.constantFrom('sms_keyword', 'api'),
    keyword: fc.constantFrom('STOP', 'QUIT'),
  }),
);

function build(drafts: readonly ConsentDraft[], pk = PK, key = KEY): ConsentChain {
  const entries: ConsentEntry[] = [];
  let head: ConsentHead = {};
  for (const d of drafts) {
    const w = chainEntry(key, pk, head, d);
    entries.push(w.entry);
    head = { entry: w.entry, anchor: w.anchor };
  }
  return { entries, ...(head.anchor ? { anchor: head.anchor } : {}) };
}

type Edit = (e: ConsentEntry) => ConsentEntry;
const edits: Record<string, Edit> = {
  kind: (e) => ({ ...e, kind: e.kind === 'opted_in' ? 'opted_out' : 'opted_in' }),
  at: (e) => ({ ...e, at: e.at + 1 }),
  source: (e) => ({ ...e, source: `${e.source}x` }),
  text: (e) => ({ ...e, text: `${e.text ?? ''}!` }),
  version: (e) => ({ ...e, version: `${e.version ?? ''}9` }),
  keyword: (e) => ({ ...e, keyword: 'HELP' }),
  ip: (e) => ({ ...e, ip: '198.51.100.1' }),
  prev: (e) => ({ ...e, prev: `${e.prev}A` }),
  seq: (e) => ({ ...e, seq: e.seq + 1 }),
  hash: (e) => ({
    ...e,
    hash: `A${e.hash.slice(1)}` === e.hash ? `B${e.hash.slice(1)}` : `A${e.hash.slice(1)}`,
  }),
};

describe('checkChain', () => {
  it('accepts every chain it built', () => {
    fc.assert(
      fc.property(fc.array(draftArb, { maxLength: 12 }), (drafts) => {
        expect(checkChain(KEY, PK, build(drafts))).toMatchObject({
          valid: true,
          length: drafts.length,
        });
      }),
    );
  });

  it('detects any edit of any field of any entry, at that entry', () => {
    fc.assert(
      fc.property(
        fc.array(draftArb, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.constantFrom(...Object.keys(edits)),
        (drafts, n, field) => {
          const chain = build(drafts);
          const i = n % chain.entries.length;
          const entries = chain.entries.map((e, j) => (j === i ? edits[field]!(e) : e));
          const verdict = checkChain(KEY, PK, { ...chain, entries });
          expect(verdict.valid).toBe(false);
          if (!verdict.valid) expect(verdict.seq).toBeLessThanOrEqual(i + 2);
        },
      ),
    );
  });

  it('detects deletion anywhere (tail included), reordering and duplication', () => {
    fc.assert(
      fc.property(fc.array(draftArb, { minLength: 2, maxLength: 10 }), fc.nat(), (drafts, n) => {
        const chain = build(drafts);
        const i = n % chain.entries.length;
        const without = chain.entries.filter((_, j) => j !== i);
        expect(checkChain(KEY, PK, { ...chain, entries: without }).valid).toBe(false);
        const swapped = [...chain.entries];
        const j = (i + 1) % swapped.length;
        [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
        expect(checkChain(KEY, PK, { ...chain, entries: swapped }).valid).toBe(false);
        const dup = [...chain.entries, chain.entries[i]!];
        expect(checkChain(KEY, PK, { ...chain, entries: dup }).valid).toBe(false);
      }),
    );
  });

  it('detects a whole chain deleted but its anchor kept, and an anchor removed or rolled back', () => {
    const drafts = fc.sample(draftArb, { numRuns: 4, seed: 7 });
    const chain = build(drafts);
    expect(checkChain(KEY, PK, { entries: [], anchor: chain.anchor! })).toMatchObject({
      valid: false,
      problem: 'truncated',
    });
    expect(checkChain(KEY, PK, { entries: chain.entries })).toMatchObject({
      problem: 'anchor_missing',
    });
    const older = build(drafts.slice(0, 3)).anchor!;
    expect(checkChain(KEY, PK, { ...chain, anchor: older })).toMatchObject({
      problem: 'anchor_mismatch',
    });
    expect(checkChain(KEY, PK, { ...chain, anchor: `4.${'A'.repeat(43)}` })).toMatchObject({
      problem: 'anchor_mismatch',
    });
    expect(checkChain(KEY, PK, { ...chain, anchor: 'garbage' })).toMatchObject({
      problem: 'anchor_mismatch',
    });
  });

  it('a chain cannot be moved to another phone, nor rebuilt without the secret', () => {
    const drafts = fc.sample(draftArb, { numRuns: 3, seed: 3 });
    const other = phoneKey(ring, '+33612345678');
    expect(checkChain(KEY, other, build(drafts)).valid).toBe(false);
    const forged = build(drafts, PK, chainKey(keyring('x'.repeat(40)).lookup));
    expect(checkChain(KEY, PK, forged)).toMatchObject({ valid: false, seq: 1, problem: 'hash' });
  });

  it('redaction is not tampering, but a half-erased entry is', () => {
    const chain = build([
      {
        kind: 'opted_in',
        at: 1,
        source: 'web_form',
        text: 't',
        version: '1',
        ip: '192.0.2.1',
        userAgent: 'UA',
        salt: 's1',
      },
    ]);
    const { ip: _i, userAgent: _u, salt: _s, ...kept } = chain.entries[0]!;
    expect(checkChain(KEY, PK, { ...chain, entries: [{ ...kept, redactedAt: 2 }] }).valid).toBe(
      true,
    );
    expect(checkChain(KEY, PK, { ...chain, entries: [kept] })).toMatchObject({
      problem: 'personal',
    });
    const { salt: _s2, ...noSalt } = chain.entries[0]!;
    expect(checkChain(KEY, PK, { ...chain, entries: [noSalt] })).toMatchObject({
      problem: 'personal',
    });
  });
});

describe('verifyChain (public)', () => {
  const chain = build(fc.sample(draftArb, { numRuns: 5, seed: 11 }));

  it('verifies with the application secret and the phone or its key', () => {
    expect(verifyChain(chain, { secret: SECRET, phone: PHONE })).toMatchObject({
      valid: true,
      length: 5,
    });
    expect(verifyChain(chain, { secret: SECRET, phoneKey: PK }).valid).toBe(true);
    expect(verifyChain(chain, { secret: 'y'.repeat(40), phone: PHONE }).valid).toBe(false);
  });

  it('survives a secret rotation that keeps the lookup secret', () => {
    expect(verifyChain(chain, { secret: ['n'.repeat(40), SECRET], phone: PHONE }).valid).toBe(true);
  });

  it('checks an anchor kept outside the ledger', () => {
    const last = chain.entries.at(-1)!;
    expect(
      verifyChain(chain, { secret: SECRET, phone: PHONE, expect: { seq: 5, hash: last.hash } })
        .valid,
    ).toBe(true);
    // Chain and anchor both rolled back to an earlier, self-consistent state: only an
    // external anchor can tell.
    const rolled = build(fc.sample(draftArb, { numRuns: 5, seed: 11 }).slice(0, 3));
    expect(verifyChain(rolled, { secret: SECRET, phone: PHONE }).valid).toBe(true);
    expect(
      verifyChain(rolled, { secret: SECRET, phone: PHONE, expect: { seq: 5, hash: last.hash } }),
    ).toMatchObject({
      valid: false,
      problem: 'external_anchor',
    });
  });

  it('throws on misconfiguration only', () => {
    expect(() => verifyChain(chain, { secret: SECRET })).toThrow(TypeError);
    expect(() => verifyChain(chain, { secret: 'short', phone: PHONE })).toThrow(TypeError);
  });
});
