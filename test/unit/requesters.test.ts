/** The per-requester parts of the phone record (src/core/requesters.ts) in isolation. */
import { describe, expect, it } from 'vitest';
import { checkTransition } from '../../src/core/check';
import { defaultPolicy } from '../../src/core/policy';
import { MAX_REQUESTERS } from '../../src/core/requesters';
import { startTransition } from '../../src/core/send';
import { recordTtl, registerFailure } from '../../src/core/settle';
import { CorruptRecordError, decodeState, emptyState, encodeState } from '../../src/core/state';
import { PHONE, setup, wrong } from '../support/setup';

const T = 1_700_000_000_000;
const MIN = 60_000;
const DAY = 86_400_000;
const input = (id: string, by: string) => ({
  id,
  purpose: 'login',
  channel: 'sms' as const,
  digest: `d-${id}`,
  to: '+1 *** *** **53',
  sealed: 's',
  by,
});

describe('requester entries of a phone record', () => {
  it('a locked requester keeps the record alive until its failures are forgotten', () => {
    const d = { state: emptyState, events: [] };
    for (let i = 0; i < 3; i += 1) registerFailure(d, T, defaultPolicy, 'ip.a');
    const r = d.state.requesters?.[0];
    expect(r).toMatchObject({ k: 'ip.a', f: 0, l: 1, u: T + 15 * MIN });
    expect(d.state.lockedUntil).toBe(0);
    expect(recordTtl(d.state, T, defaultPolicy)).toBe(DAY);
    // Round trip through the stored form.
    expect(decodeState(encodeState(d.state))).toEqual(d.state);
  });

  it('failures from `lockout.requesters` distinct keys lock the phone', () => {
    const d = { state: emptyState, events: [] as unknown[] };
    for (const k of ['ip.a', 'ip.b', 'ip.c']) registerFailure(d as never, T, defaultPolicy, k);
    expect(d.state.lockedUntil).toBe(0);
    expect(d.state.failers).toEqual(['ip.a', 'ip.b', 'ip.c']);
    registerFailure(d as never, T, defaultPolicy, 'ip.a');
    expect(d.state.lockedUntil).toBe(0);
    registerFailure(d as never, T, defaultPolicy, 'ip.d');
    expect(d.state.lockedUntil).toBe(T + 15 * MIN);
    expect(d.state.failers).toBeUndefined();
  });

  it('keeps at most MAX_REQUESTERS entries, dropping idle ones first', () => {
    let state = emptyState;
    const policy = { ...defaultPolicy, sendWindows: [{ windowMs: DAY, max: 1000 }] };
    for (let i = 0; i < MAX_REQUESTERS + 8; i += 1) {
      const step = startTransition(state, input(`v${i}`, `ip.${i}`), T + i, policy);
      expect(step.decision.isOk()).toBe(true);
      state = step.state;
    }
    expect(state.requesters).toHaveLength(MAX_REQUESTERS);
    expect(state.requesters?.at(-1)?.k).toBe(`ip.${MAX_REQUESTERS + 7}`);
  });

  it('an approval at the first check gives the send back to the phone and the requester', () => {
    const s = startTransition(emptyState, input('v1', 'ip.a'), T, defaultPolicy).state;
    expect(s.sends).toEqual([T]);
    const ok = checkTransition(s, { id: 'v1' }, () => true, T + MIN, defaultPolicy, 'ip.a');
    expect(ok.decision.isOk()).toBe(true);
    expect(ok.state.sends).toEqual([]);
    expect(ok.state.requesters?.[0]?.s).toEqual([]);
    // After a wrong code, the approval keeps the phone's count (a guess was made on it).
    const wrong = checkTransition(s, { id: 'v1' }, () => false, T + MIN, defaultPolicy, 'ip.a');
    const late = checkTransition(wrong.state, { id: 'v1' }, () => true, T + MIN, defaultPolicy);
    expect(late.decision.isOk()).toBe(true);
    expect(late.state.sends).toEqual([T]);
  });

  it('another requester cannot check, and its start does not supersede', () => {
    const s = startTransition(emptyState, input('v1', 'ip.a'), T, defaultPolicy).state;
    const other = checkTransition(s, { id: 'v1' }, () => true, T, defaultPolicy, 'ip.b');
    expect(other.decision._unsafeUnwrapErr().code).toBe('not_found');
    const byPurpose = checkTransition(
      s,
      { purpose: 'login' },
      () => true,
      T,
      defaultPolicy,
      'ip.b',
    );
    expect(byPurpose.decision._unsafeUnwrapErr().code).toBe('not_found');
    const s2 = startTransition(s, input('v2', 'ip.b'), T + 1, defaultPolicy).state;
    expect(s2.verifications.map((v) => v.status)).toEqual(['pending', 'pending']);
    const s3 = startTransition(s2, input('v3', 'ip.a'), T + 2, defaultPolicy).state;
    expect(s3.verifications.map((v) => v.status)).toEqual(['canceled', 'pending', 'pending']);
  });

  it('rejects malformed requester fields', () => {
    const raw = JSON.parse(encodeState(emptyState));
    expect(() => decodeState(JSON.stringify({ ...raw, requesters: [{ k: 1 }] }))).toThrow(
      CorruptRecordError,
    );
    expect(() => decodeState(JSON.stringify({ ...raw, failers: [1] }))).toThrow(CorruptRecordError);
  });
});

describe('requester keys at rest', () => {
  it('no address, device id or user id is stored, only keyed hashes', async () => {
    const t = setup();
    const contexts = [
      { ip: '203.0.113.66' },
      { ip: '2001:db8:abcd:12::7' },
      { deviceId: 'device-secret-42' },
      { userId: 'user-alice' },
    ];
    for (const context of contexts) {
      const s = (await t.verifier.start({ phone: PHONE, purpose: 'p', context }))._unsafeUnwrap();
      for (let i = 0; i < 5; i += 1) {
        await t.verifier.check({ id: s.id, code: wrong(t.code()), context });
      }
    }
    const stored = t.store
      .entries()
      .map(([k, v]) => k + v)
      .join('\n');
    expect(stored).toContain('"by":"ip.');
    for (const raw of ['203.0.113.66', '2001:db8:abcd:12', 'device-secret-42', 'user-alice']) {
      expect(stored).not.toContain(raw);
    }
  });
});
