/**
 * The consent chain's MACs and personal digest, with every chain, key and value built inside
 * the test (so that a change of the MAC code shows whether the writer and the checker still
 * agree with each other and with what was written before): the personal digest and the anchor
 * have the formats entries are stored with (re-derived here with node:crypto, not imported), the
 * personal fields are bound to the entry through the digest, an anchor is bound to its phone and
 * its position, and an entry holds no personal field it was not given.
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchorOf,
  type ConsentDraft,
  chainEntry,
  chainKey,
  checkChain,
  checkHead,
  entryHash,
  personalDigest,
} from '../../src/consent/chain';
import type { ConsentChain, ConsentEntry, ConsentHead } from '../../src/ports/consent-ledger';
import { keyring, phoneKey } from '../../src/secrets';
import { OTHER, PHONE, SECRET } from './support';

function setupKeys() {
  const ring = keyring(SECRET);
  const key = chainKey(ring.lookup);
  return { key, pk: phoneKey(ring, PHONE), otherPk: phoneKey(ring, OTHER) };
}

function build(key: Uint8Array, pk: string, drafts: readonly ConsentDraft[]): ConsentChain {
  const entries: ConsentEntry[] = [];
  let head: ConsentHead = {};
  for (const d of drafts) {
    const w = chainEntry(key, pk, head, d);
    entries.push(w.entry);
    head = { entry: w.entry, anchor: w.anchor };
  }
  return { entries, ...(head.anchor ? { anchor: head.anchor } : {}) };
}

/** The personal digest as entries are stored with it (re-derived, not imported). */
const storedDigest = (salt: string, ip?: string, ua?: string) =>
  createHash('sha256')
    .update(JSON.stringify(['phoneproof.consent.personal.v1', salt, ip ?? null, ua ?? null]))
    .digest('base64url');

/** The anchor as stored (re-derived, not imported). */
const storedAnchor = (key: Uint8Array, pk: string, seq: number, hash: string) =>
  `${seq}.${createHmac('sha256', key)
    .update(JSON.stringify(['phoneproof.consent.anchor.v1', pk, seq, hash]))
    .digest('base64url')}`;

const text = fc.option(fc.string({ maxLength: 12 }), { nil: undefined });

describe('the personal digest', () => {
  it('has the stored format, so entries written before stay verifiable', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), text, text, (salt, ip, ua) => {
        expect(personalDigest(salt, ip, ua)).toBe(storedDigest(salt, ip, ua));
      }),
    );
  });

  it('depends on the salt, the ip and the user agent, each in its place', () => {
    const d = personalDigest('s', '192.0.2.1', 'UA');
    expect(personalDigest('t', '192.0.2.1', 'UA')).not.toBe(d);
    expect(personalDigest('s', '192.0.2.2', 'UA')).not.toBe(d);
    expect(personalDigest('s', '192.0.2.1', 'UB')).not.toBe(d);
    expect(personalDigest('s', undefined, 'UA')).not.toBe(d);
    expect(personalDigest('s', '192.0.2.1')).not.toBe(d);
    // Swapped between the two fields: another digest.
    expect(personalDigest('s', 'UA', '192.0.2.1')).not.toBe(d);
  });

  it('an ip or user agent edited in a stored entry (salt kept) fails it with personal', () => {
    const { key, pk } = setupKeys();
    const chain = build(key, pk, [
      { kind: 'opted_in', at: 1, source: 'web_form', ip: '192.0.2.1', userAgent: 'UA', salt: 's' },
    ]);
    const e = chain.entries[0]!;
    expect(checkChain(key, pk, chain)).toMatchObject({ valid: true, length: 1 });
    for (const edited of [
      { ...e, ip: '192.0.2.9' },
      { ...e, userAgent: 'Other' },
      { ...e, salt: 't' },
    ]) {
      expect(checkChain(key, pk, { ...chain, entries: [edited] })).toEqual({
        valid: false,
        length: 1,
        seq: 1,
        problem: 'personal',
      });
    }
  });

  it('an entry holding personal fields without its salt is refused, whatever its digest', () => {
    const { key, pk } = setupKeys();
    // A digest computed without a salt, MAC-covered by a writer that holds the key: the
    // personal fields still do not verify, as there is no salt to check them with.
    const rest = {
      seq: 1,
      prev: '',
      kind: 'opted_in' as const,
      at: 1,
      source: 'api',
      personalDigest: storedDigest(undefined as unknown as string, '192.0.2.1'),
    };
    const entry: ConsentEntry = { ...rest, ip: '192.0.2.1', hash: entryHash(key, pk, rest) };
    expect(checkHead(key, pk, { entry, anchor: anchorOf(key, pk, 1, entry.hash) })).toEqual({
      seq: 1,
      problem: 'personal',
    });
  });

  it('an entry holds only the personal fields it was given (no key set to undefined)', () => {
    const { key, pk } = setupKeys();
    const onlyUa = chainEntry(
      key,
      pk,
      {},
      {
        kind: 'opted_in',
        at: 1,
        source: 'api',
        userAgent: 'UA',
        salt: 's',
      },
    ).entry;
    expect(Object.keys(onlyUa)).not.toContain('ip');
    expect(onlyUa).toMatchObject({ userAgent: 'UA', salt: 's' });
    const onlyIp = chainEntry(
      key,
      pk,
      {},
      {
        kind: 'opted_in',
        at: 1,
        source: 'api',
        ip: '192.0.2.1',
        salt: 's',
      },
    ).entry;
    expect(Object.keys(onlyIp)).not.toContain('userAgent');
    const none = chainEntry(key, pk, {}, { kind: 'opted_out', at: 2, source: 'api' }).entry;
    expect(Object.keys(none).sort()).toEqual(['at', 'hash', 'kind', 'prev', 'seq', 'source']);
  });
});

describe('the anchor', () => {
  it('has the stored format: <seq>.<MAC>', () => {
    const { key, pk } = setupKeys();
    const chain = build(key, pk, [
      { kind: 'opted_in', at: 1, source: 'api' },
      { kind: 'opted_out', at: 2, source: 'api' },
    ]);
    const last = chain.entries[1]!;
    expect(chain.anchor).toBe(storedAnchor(key, pk, 2, last.hash));
    expect(anchorOf(key, pk, 2, last.hash)).toBe(chain.anchor);
  });

  it("is bound to its phone: another phone's anchor at the same position is refused", () => {
    const { key, pk, otherPk } = setupKeys();
    const drafts: ConsentDraft[] = [
      { kind: 'opted_in', at: 1, source: 'api' },
      { kind: 'opted_out', at: 2, source: 'api' },
    ];
    const mine = build(key, pk, drafts);
    const theirs = build(key, otherPk, drafts);
    expect(checkChain(key, pk, mine)).toMatchObject({ valid: true });
    expect(checkChain(key, pk, { ...mine, anchor: theirs.anchor! })).toEqual({
      valid: false,
      length: 2,
      seq: 2,
      problem: 'anchor_mismatch',
    });
  });

  it('is bound to the newest entry: an anchor of the same position over another entry is refused', () => {
    const { key, pk } = setupKeys();
    const a = build(key, pk, [{ kind: 'opted_in', at: 1, source: 'api' }]);
    const b = build(key, pk, [{ kind: 'opted_out', at: 1, source: 'api' }]);
    expect(a.anchor).not.toBe(b.anchor);
    expect(checkHead(key, pk, { entry: a.entries[0]!, anchor: b.anchor! })).toEqual({
      seq: 1,
      problem: 'anchor_mismatch',
    });
  });
});
