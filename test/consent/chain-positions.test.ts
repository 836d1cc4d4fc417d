/**
 * The consent chain names what is wrong and where: an entry removed, reordered, edited,
 * relinked or half-erased fails verification at that entry with its problem; an anchor that is
 * garbled, rolled back, or ahead of the entries is refused with its own problem; the head
 * check that guards every consent decision sees the newest entry and the anchor.
 */
import { describe, expect, it } from 'vitest';
import {
  type ConsentDraft,
  chainEntry,
  chainKey,
  checkChain,
  checkHead,
  verifyChain,
} from '../../src/consent/chain';
import type { ConsentChain, ConsentEntry, ConsentHead } from '../../src/ports/consent-ledger';
import { keyring, phoneKey } from '../../src/secrets';
import { PHONE, SECRET } from './support';

const ring = keyring(SECRET);
const KEY = chainKey(ring.lookup);
const PK = phoneKey(ring, PHONE);

const drafts: readonly ConsentDraft[] = [
  {
    kind: 'opted_in',
    at: 1,
    source: 'web_form',
    text: 'Yes',
    version: '1',
    ip: '192.0.2.1',
    salt: 's1',
  },
  { kind: 'opted_out', at: 2, source: 'sms_keyword', keyword: 'STOP', messageId: 'SM1' },
  {
    kind: 'opted_in',
    at: 3,
    source: 'api',
    text: 'Yes again',
    version: '2',
    userAgent: 'UA',
    salt: 's3',
  },
  { kind: 'opted_out', at: 4, source: 'api' },
  { kind: 'opted_in', at: 5, source: 'sms_keyword', keyword: 'START', text: 'start' },
];

function build(list: readonly ConsentDraft[] = drafts, pk = PK): ConsentChain {
  const entries: ConsentEntry[] = [];
  let head: ConsentHead = {};
  for (const d of list) {
    const w = chainEntry(KEY, pk, head, d);
    entries.push(w.entry);
    head = { entry: w.entry, anchor: w.anchor };
  }
  return { entries, ...(head.anchor ? { anchor: head.anchor } : {}) };
}

const chain = build();
const verdict = (c: ConsentChain) => checkChain(KEY, PK, c);
const at = (entries: readonly ConsentEntry[], i: number, e: ConsentEntry) =>
  entries.map((x, j) => (j === i ? e : x));

describe('a sound chain', () => {
  it('is valid, counts its entries and names its newest entry', () => {
    const last = chain.entries[4]!;
    expect(verdict(chain)).toEqual({ valid: true, length: 5, head: { seq: 5, hash: last.hash } });
    expect(verdict({ entries: [] })).toEqual({ valid: true, length: 0 });
    expect(verifyChain(chain, { secret: SECRET, phone: PHONE })).toEqual(verdict(chain));
  });

  it('links every entry to the previous one from the first (seq 1, empty prev)', () => {
    expect(chain.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(chain.entries[0]!.prev).toBe('');
    for (let i = 1; i < 5; i += 1) expect(chain.entries[i]!.prev).toBe(chain.entries[i - 1]!.hash);
    expect(chain.anchor).toMatch(/^5\.[A-Za-z0-9_-]{43}$/);
  });

  it('refuses personal fields without a salt when building', () => {
    expect(() =>
      chainEntry(KEY, PK, {}, { kind: 'opted_in', at: 1, source: 'api', ip: '192.0.2.1' }),
    ).toThrow(TypeError);
    expect(() =>
      chainEntry(KEY, PK, {}, { kind: 'opted_in', at: 1, source: 'api', userAgent: 'UA' }),
    ).toThrow(/salt/);
  });
});

describe('entries removed, reordered or edited fail at that entry', () => {
  it('an entry removed: sequence at its position; the newest removed: truncated', () => {
    for (let i = 0; i < 4; i += 1) {
      const entries = chain.entries.filter((_, j) => j !== i);
      expect(verdict({ ...chain, entries })).toEqual({
        valid: false,
        length: 4,
        seq: i + 1,
        problem: 'sequence',
      });
    }
    expect(verdict({ ...chain, entries: chain.entries.slice(0, 4) })).toEqual({
      valid: false,
      length: 4,
      seq: 5,
      problem: 'truncated',
    });
  });

  it('two entries swapped: sequence at the first of them', () => {
    for (let i = 0; i < 4; i += 1) {
      const entries = [...chain.entries];
      [entries[i], entries[i + 1]] = [entries[i + 1]!, entries[i]!];
      expect(verdict({ ...chain, entries })).toMatchObject({
        valid: false,
        seq: i + 1,
        problem: 'sequence',
      });
    }
  });

  it('an entry renumbered into place still fails: link at that entry', () => {
    // Entry 3 removed and the later ones renumbered, as a forger without the secret would.
    const entries = chain.entries.filter((_, j) => j !== 2).map((e, j) => ({ ...e, seq: j + 1 }));
    expect(verdict({ ...chain, entries })).toMatchObject({ valid: false, seq: 3, problem: 'link' });
  });

  it('a field edited: hash at that entry', () => {
    const edits: ((e: ConsentEntry) => ConsentEntry)[] = [
      (e) => ({ ...e, at: e.at + 1 }),
      (e) => ({ ...e, kind: e.kind === 'opted_in' ? 'opted_out' : 'opted_in' }),
      (e) => ({ ...e, source: 'other' }),
      (e) => ({ ...e, text: 'other' }),
      (e) => ({ ...e, version: '9' }),
      (e) => ({ ...e, keyword: 'HELP' }),
      (e) => ({ ...e, messageId: 'SM9' }),
      (e) => ({ ...e, personalDigest: 'A'.repeat(43) }),
      (e) => ({ ...e, hash: `${e.hash.slice(0, -1)}${e.hash.endsWith('A') ? 'B' : 'A'}` }),
    ];
    for (let i = 0; i < 5; i += 1) {
      for (const edit of edits) {
        const v = verdict({ ...chain, entries: at(chain.entries, i, edit(chain.entries[i]!)) });
        expect(v).toMatchObject({ valid: false, length: 5, seq: i + 1 });
        // An edited hash also breaks the next entry's link, but the edited entry is first.
        if (!v.valid) expect(['hash', 'personal']).toContain(v.problem);
      }
    }
  });

  it('a message id added to an entry written without one: hash', () => {
    const e = chain.entries[3]!;
    expect(e.messageId).toBeUndefined();
    expect(
      verdict({ ...chain, entries: at(chain.entries, 3, { ...e, messageId: 'SM2' }) }),
    ).toMatchObject({
      valid: false,
      seq: 4,
      problem: 'hash',
    });
    const withId = chain.entries[1]!;
    const { messageId: _, ...without } = withId;
    expect(verdict({ ...chain, entries: at(chain.entries, 1, without) })).toMatchObject({
      seq: 2,
      problem: 'hash',
    });
  });

  it('a sound entry of a sibling chain put in its place: link at the next entry', () => {
    const sibling = build([
      ...drafts.slice(0, 2),
      { kind: 'opted_out', at: 30, source: 'api' },
      ...drafts.slice(3),
    ]);
    const v = verdict({ ...chain, entries: at(chain.entries, 2, sibling.entries[2]!) });
    expect(v).toMatchObject({ valid: false, seq: 4, problem: 'link' });
    const moved = build(drafts, phoneKey(ring, '+33612345678'));
    expect(verdict(moved)).toMatchObject({ valid: false, seq: 1, problem: 'hash' });
  });
});

describe('personal fields', () => {
  const first = chain.entries[0]!;
  const third = chain.entries[2]!;

  it('an edited address, agent or salt is personal at that entry', () => {
    for (const [i, e] of [
      [0, { ...first, ip: '198.51.100.7' }],
      [0, { ...first, salt: 'other' }],
      [0, { ...first, userAgent: 'added' }],
      [2, { ...third, userAgent: 'UB' }],
      [2, { ...third, ip: '192.0.2.9' }],
    ] as const) {
      expect(verdict({ ...chain, entries: at(chain.entries, i, e) })).toMatchObject({
        valid: false,
        seq: i + 1,
        problem: 'personal',
      });
    }
  });

  it('personal fields put back on a redacted entry, or added to an entry without them, are personal', () => {
    const { ip: _i, salt: _s, ...redacted } = { ...first, redactedAt: 9 };
    for (const back of [
      { ip: '192.0.2.1' },
      { userAgent: 'UA' },
      { ip: '198.51.100.1', salt: 's1' },
    ]) {
      expect(
        verdict({ ...chain, entries: at(chain.entries, 0, { ...redacted, ...back }) }),
      ).toMatchObject({
        valid: false,
        seq: 1,
        problem: 'personal',
      });
    }
    const plain = chain.entries[3]!;
    for (const added of [
      { ip: '192.0.2.1', salt: 'x' },
      { userAgent: 'UA', salt: 'x' },
      { salt: 'x' },
    ]) {
      expect(
        verdict({ ...chain, entries: at(chain.entries, 3, { ...plain, ...added }) }),
      ).toMatchObject({
        valid: false,
        seq: 4,
        problem: 'personal',
      });
    }
  });

  it('half-erased (salt kept or dropped alone) is personal; redacted is sound', () => {
    const { ip, salt, ...erased } = first;
    expect(ip).toBeDefined();
    expect(
      verdict({ ...chain, entries: at(chain.entries, 0, { ...erased, redactedAt: 9 }) }).valid,
    ).toBe(true);
    expect(verdict({ ...chain, entries: at(chain.entries, 0, erased) })).toMatchObject({
      seq: 1,
      problem: 'personal',
    });
    expect(
      verdict({ ...chain, entries: at(chain.entries, 0, { ...erased, salt: salt! }) }),
    ).toMatchObject({
      seq: 1,
      problem: 'personal',
    });
    const { salt: _s, ...noSalt } = first;
    expect(verdict({ ...chain, entries: at(chain.entries, 0, noSalt) })).toMatchObject({
      seq: 1,
      problem: 'personal',
    });
    const { userAgent: _a, salt: _t, ...thirdRedacted } = third;
    expect(
      verdict({ ...chain, entries: at(chain.entries, 2, { ...thirdRedacted, redactedAt: 9 }) })
        .valid,
    ).toBe(true);
  });
});

describe('the anchor', () => {
  it('missing while entries exist: anchor_missing at the newest entry', () => {
    expect(verdict({ entries: chain.entries })).toEqual({
      valid: false,
      length: 5,
      seq: 5,
      problem: 'anchor_missing',
    });
  });

  it('ahead of the entries: truncated at the anchor position', () => {
    expect(verdict({ entries: [], anchor: chain.anchor! })).toEqual({
      valid: false,
      length: 0,
      seq: 5,
      problem: 'truncated',
    });
    const three = build(drafts.slice(0, 3));
    expect(verdict({ entries: three.entries, anchor: chain.anchor! })).toMatchObject({
      seq: 5,
      problem: 'truncated',
    });
  });

  it('rolled back to an older entry, or forged: anchor_mismatch at the newest entry', () => {
    const older = build(drafts.slice(0, 4)).anchor!;
    expect(older.startsWith('4.')).toBe(true);
    expect(verdict({ ...chain, anchor: older })).toEqual({
      valid: false,
      length: 5,
      seq: 5,
      problem: 'anchor_mismatch',
    });
    const forged = `5.${'A'.repeat(43)}`;
    expect(verdict({ ...chain, anchor: forged })).toMatchObject({
      seq: 5,
      problem: 'anchor_mismatch',
    });
    const otherChain = build([...drafts.slice(0, 4), { kind: 'opted_out', at: 50, source: 'api' }]);
    expect(verdict({ ...chain, anchor: otherChain.anchor! })).toMatchObject({
      seq: 5,
      problem: 'anchor_mismatch',
    });
  });

  it('garbled: anchor_mismatch at the newest entry (0 when there is none)', () => {
    const mac = chain.anchor!.slice(2);
    for (const anchor of [
      mac,
      `.${mac}`,
      `0.${mac}`,
      `-5.${mac}`,
      `x.${mac}`,
      `1e400.${mac}`,
      `9007199254740993.${mac}`,
      '5',
      '',
    ]) {
      expect(verdict({ ...chain, anchor })).toMatchObject({
        valid: false,
        seq: 5,
        problem: 'anchor_mismatch',
      });
    }
    // Without a dot, digits alone are not a position.
    expect(verdict({ ...chain, anchor: '65' })).toMatchObject({
      seq: 5,
      problem: 'anchor_mismatch',
    });
    for (const anchor of [`0.${mac}`, `-1.${mac}`, `1e400.${mac}`]) {
      expect(verdict({ entries: [], anchor })).toMatchObject({
        seq: 0,
        problem: 'anchor_mismatch',
      });
    }
    expect(verdict({ entries: [], anchor: `.${mac}` })).toEqual({
      valid: false,
      length: 0,
      seq: 0,
      problem: 'anchor_mismatch',
    });
    expect(verdict({ ...chain, anchor: `5.${mac}` }).valid).toBe(true);
  });
});

describe('an anchor kept outside the ledger', () => {
  it('must name an entry present with its hash', () => {
    const e3 = chain.entries[2]!;
    const ok = (expect_: { seq: number; hash: string }) =>
      verifyChain(chain, { secret: SECRET, phone: PHONE, expect: expect_ });
    expect(ok({ seq: 3, hash: e3.hash }).valid).toBe(true);
    expect(ok({ seq: 1, hash: chain.entries[0]!.hash }).valid).toBe(true);
    for (const bad of [
      { seq: 3, hash: chain.entries[3]!.hash },
      { seq: 6, hash: e3.hash },
      { seq: 0, hash: e3.hash },
    ]) {
      expect(ok(bad)).toEqual({
        valid: false,
        length: 5,
        seq: bad.seq,
        problem: 'external_anchor',
      });
    }
  });
});

describe('checkHead (before every consent decision)', () => {
  const last = chain.entries[4]!;
  const head = { entry: last, anchor: chain.anchor! };

  it('accepts the newest entry with its anchor, and an empty head', () => {
    expect(checkHead(KEY, PK, head)).toBeUndefined();
    expect(checkHead(KEY, PK, {})).toBeUndefined();
  });

  it('refuses an edited newest entry, a missing, older or forged anchor, a deleted tail', () => {
    expect(checkHead(KEY, PK, { ...head, entry: { ...last, at: 6 } })).toEqual({
      seq: 5,
      problem: 'hash',
    });
    expect(checkHead(KEY, PK, { entry: last })).toEqual({ seq: 5, problem: 'anchor_missing' });
    const older = build(drafts.slice(0, 4));
    expect(checkHead(KEY, PK, { entry: last, anchor: older.anchor! })).toEqual({
      seq: 5,
      problem: 'anchor_mismatch',
    });
    expect(checkHead(KEY, PK, { entry: older.entries[3]!, anchor: chain.anchor! })).toEqual({
      seq: 5,
      problem: 'truncated',
    });
    expect(checkHead(KEY, PK, { anchor: chain.anchor! })).toEqual({ seq: 5, problem: 'truncated' });
    expect(checkHead(KEY, phoneKey(ring, '+33612345678'), head)).toEqual({
      seq: 5,
      problem: 'hash',
    });
  });
});

/**
 * Known answers, computed by this version: consent ledgers are evidence kept for years, so a
 * chain written now must verify with every later version (labels, field order and encodings
 * of the MACs and of the personal digest stay as they are).
 */
describe('a chain written by this version stays verifiable', () => {
  const first: ConsentEntry = {
    kind: 'opted_in',
    at: 1,
    source: 'web_form',
    text: 'Yes',
    version: '1',
    seq: 1,
    prev: '',
    personalDigest: 'cFCbyf6IYQd3uI7s0MUlVg35vU92pbOBPbPptVGiytA',
    ip: '192.0.2.1',
    userAgent: 'UA',
    salt: 's1',
    hash: 'KsKql5Eq4evdhkYEsBV96XcXYSOvQeZ0KTN30hBZHWs',
  };
  const second: ConsentEntry = {
    kind: 'opted_out',
    at: 2,
    source: 'sms_keyword',
    keyword: 'STOP',
    messageId: 'SM1',
    seq: 2,
    prev: 'KsKql5Eq4evdhkYEsBV96XcXYSOvQeZ0KTN30hBZHWs',
    hash: '_pwjqK5o0mwIKI43cH_9UPNwhIbCAeuWsS-JTjhdAZ8',
  };
  const stored: ConsentChain = {
    entries: [first, second],
    anchor: '2.hyTjinRtPWmGBDdp_erEWPrIZ2b4Qnnp-_LiHrGX0NA',
  };

  it('verifies, and is what this version writes', () => {
    expect(verifyChain(stored, { secret: SECRET, phone: PHONE })).toMatchObject({
      valid: true,
      length: 2,
    });
    const a = chainEntry(
      KEY,
      PK,
      {},
      {
        kind: 'opted_in',
        at: 1,
        source: 'web_form',
        text: 'Yes',
        version: '1',
        ip: '192.0.2.1',
        userAgent: 'UA',
        salt: 's1',
      },
    );
    expect(a.entry).toEqual(first);
    expect(a.anchor).toBe('1.AaPkc7i0P-cCVX4JXC9dbUoBXtkO1ZQBd3NXecNM9sk');
    const b = chainEntry(
      KEY,
      PK,
      { entry: a.entry, anchor: a.anchor },
      {
        kind: 'opted_out',
        at: 2,
        source: 'sms_keyword',
        keyword: 'STOP',
        messageId: 'SM1',
      },
    );
    expect(b.entry).toEqual(second);
    expect(b.anchor).toBe(stored.anchor);
  });

  it('a redacted entry still verifies', () => {
    const { ip: _i, userAgent: _u, salt: _s, ...rest } = first;
    const redacted = { ...stored, entries: [{ ...rest, redactedAt: 3 }, second] };
    expect(verifyChain(redacted, { secret: SECRET, phone: PHONE }).valid).toBe(true);
  });

  it('verifyChain says which option is missing', () => {
    expect(() => verifyChain(stored, { secret: SECRET, phone: '12' })).toThrow(
      /verifyChain: `phone` \(E\.164\) or `phoneKey` is required/,
    );
  });
});
