/**
 * A stored phone record is trusted only when every field has the type the core relies on:
 * a record whose field has the wrong type (a string count, a number id, an unknown status or
 * channel, a broken send attempt or requester entry) is refused as corrupt, and the verifier
 * answers `store_corrupt` instead of acting on it. Records of every accepted shape (optional
 * fields absent or present) still decode.
 */
import { describe, expect, it } from 'vitest';
import { CorruptRecordError, decodeState } from '../../src/core/state';
import { setup } from '../support/setup';

const verification = {
  id: 'i'.repeat(54),
  purpose: 'verify',
  channel: 'sms',
  digest: 'd'.repeat(43),
  to: '+1 *** *** **53',
  sealed: 's'.repeat(54),
  createdAt: 1000,
  expiresAt: 2000,
  checks: 1,
  sends: 1,
  lastSendAt: 1000,
  status: 'pending',
  closedAt: 0,
};
const attempt = { messageId: 'm1', channel: 'sms', at: 1000, updatedAt: 1000, state: 'queued' };
const requester = { k: 'key', s: [1000], f: 1, l: 0, u: 0, t: 900 };
const record = {
  v: 1,
  sends: [1000],
  failures: 1,
  locks: 0,
  lockedUntil: 0,
  lastFailureAt: 900,
  verifications: [verification],
};
/** A record carrying every optional field. */
const full = {
  ...record,
  verifications: [{ ...verification, attempts: [attempt], by: 'key' }],
  requesters: [requester],
  failers: ['key'],
};

/** The raw JSON of `full` with `edit` applied to a copy. */
function corrupt(edit: (r: Record<string, unknown>) => void): string {
  const r = structuredClone(full) as Record<string, unknown>;
  edit(r);
  // 1e999 stands for a non-finite number as JSON can carry it (it parses to Infinity).
  return JSON.stringify(r).replaceAll('"__INF__"', '1e999');
}
const v0 = (r: Record<string, unknown>) => (r.verifications as Record<string, unknown>[])[0]!;
const a0 = (r: Record<string, unknown>) => (v0(r).attempts as Record<string, unknown>[])[0]!;
const r0 = (r: Record<string, unknown>) => (r.requesters as Record<string, unknown>[])[0]!;

const INF = '__INF__';

const corruptions: [string, (r: Record<string, unknown>) => void][] = [
  ['sends not an array', (r) => (r.sends = 5)],
  ['a send time not a number', (r) => (r.sends = ['1000'])],
  ['a send time not finite', (r) => (r.sends = [INF])],
  ['failures a string', (r) => (r.failures = '1')],
  ['failures not finite', (r) => (r.failures = INF)],
  ['locks a string', (r) => (r.locks = '0')],
  ['lockedUntil a string', (r) => (r.lockedUntil = '0')],
  ['lastFailureAt missing', (r) => delete r.lastFailureAt],
  ['verifications not an array', (r) => (r.verifications = {})],
  ['a verification null', (r) => (r.verifications = [null])],
  ['a verification a string', (r) => (r.verifications = ['v'])],
  ['verification id a number', (r) => (v0(r).id = 7)],
  ['verification purpose missing', (r) => delete v0(r).purpose],
  ['verification channel unknown', (r) => (v0(r).channel = 'email')],
  ['verification digest a number', (r) => (v0(r).digest = 1)],
  ['verification to missing', (r) => delete v0(r).to],
  ['verification sealed a number', (r) => (v0(r).sealed = 1)],
  ['verification createdAt a string', (r) => (v0(r).createdAt = '1000')],
  ['verification expiresAt a string', (r) => (v0(r).expiresAt = '2000')],
  ['verification expiresAt not finite', (r) => (v0(r).expiresAt = INF)],
  ['verification checks a string', (r) => (v0(r).checks = '1')],
  ['verification sends a string', (r) => (v0(r).sends = '1')],
  ['verification lastSendAt a string', (r) => (v0(r).lastSendAt = '1000')],
  ['verification status a number', (r) => (v0(r).status = 1)],
  ['verification status unknown', (r) => (v0(r).status = 'done')],
  ['verification closedAt a string', (r) => (v0(r).closedAt = '0')],
  ['verification attempts not an array', (r) => (v0(r).attempts = {})],
  ['a send attempt with a numeric messageId', (r) => (a0(r).messageId = 1)],
  ['a send attempt with an unknown state', (r) => (a0(r).state = 'lost')],
  ['verification by a number', (r) => (v0(r).by = 1)],
  ['requesters not an array', (r) => (r.requesters = { k: 'key' })],
  ['a requester null', (r) => (r.requesters = [null])],
  ['a requester a number', (r) => (r.requesters = [1])],
  ['requester key a number', (r) => (r0(r).k = 1)],
  ['requester sends not an array', (r) => (r0(r).s = 1000)],
  ['a requester send time a string', (r) => (r0(r).s = ['1000'])],
  ['requester failures a string', (r) => (r0(r).f = '1')],
  ['requester locks a string', (r) => (r0(r).l = '0')],
  ['requester lock end a string', (r) => (r0(r).u = '0')],
  ['requester last failure a string', (r) => (r0(r).t = '900')],
  ['requester last failure not finite', (r) => (r0(r).t = INF)],
  ['failers not an array', (r) => (r.failers = 'key')],
  ['a failer a number', (r) => (r.failers = [1])],
  // A bad entry after a good one: every entry is checked, not only the first.
  ['a second send attempt broken', (r) => (v0(r).attempts = [attempt, { ...attempt, at: 'x' }])],
  ['a second requester broken', (r) => (r.requesters = [requester, { ...requester, f: 'x' }])],
  ['a second failer a number', (r) => (r.failers = ['key', 2])],
  ['a second verification broken', (r) => (r.verifications = [verification, { id: 1 }])],
];

describe('stored record validation', () => {
  it('decodes records of every accepted shape', () => {
    expect(decodeState(JSON.stringify(record)).verifications[0]!.to).toBe('+1 ••• ••• ••53');
    expect(decodeState(JSON.stringify(full)).requesters).toEqual([requester]);
    expect(decodeState(JSON.stringify(full)).failers).toEqual(['key']);
    const voice = { ...record, verifications: [{ ...verification, channel: 'voice' }] };
    expect(decodeState(JSON.stringify(voice)).verifications[0]!.channel).toBe('voice');
    for (const status of ['pending', 'approved', 'canceled', 'expired', 'failed']) {
      const r = { ...record, verifications: [{ ...verification, status }] };
      expect(decodeState(JSON.stringify(r)).verifications[0]!.status).toBe(status);
    }
    expect(decodeState(undefined).verifications).toEqual([]);
  });

  it.each(corruptions)('refuses a record with %s', (_, edit) => {
    expect(() => decodeState(corrupt(edit))).toThrow(CorruptRecordError);
    expect(() => decodeState(corrupt(edit))).toThrow('record does not have the phoneproof shape');
  });

  it('refuses what is not a version-1 JSON object, saying which', () => {
    expect(() => decodeState('{')).toThrow('record is not JSON');
    expect(() => decodeState('null')).toThrow('record is not an object');
    expect(() => decodeState('7')).toThrow('record is not an object');
    expect(() => decodeState('{"v":2}')).toThrow('unknown record version');
  });

  it('the verifier answers store_corrupt for a record with a field of the wrong type', async () => {
    const t = setup();
    const { id } = (await t.verifier.start({ phone: '+12133734253' }))._unsafeUnwrap();
    const [key, value] = t.store.entries().find(([k]) => k.startsWith('phone:'))!;
    const stored = JSON.parse(value) as Record<string, unknown>;
    const edits: ((r: Record<string, unknown>) => void)[] = [
      (r) => (v0(r).checks = '0'),
      (r) => (v0(r).channel = 'fax'),
      (r) => (r.failures = 'many'),
    ];
    for (const edit of edits) {
      const bad = structuredClone(stored);
      edit(bad);
      const raw = JSON.stringify(bad);
      await t.store.update(key, () => ({ result: 0, write: { value: raw, ttlMs: 60_000 } }));
      const checked = await t.verifier.check({ id, code: t.code() });
      expect(checked._unsafeUnwrapErr().code).toBe('store_corrupt');
      expect((await t.verifier.status({ id }))._unsafeUnwrapErr().code).toBe('store_corrupt');
    }
  });
});
