/**
 * Every transition edits a fresh copy of the phone record: the copy keeps every field it was
 * not asked to change (the requester a verification is bound to, its delivery attempts, the
 * per-requester counters and the failing requester keys), and the original stays as it was.
 * A copy that lost `by` would let any requester check a code another one started.
 */
import { describe, expect, it } from 'vitest';
import { editState, editVerification, replaceVerification } from '../../src/core/copy';
import { emptyState, type PhoneState, type VerificationState } from '../../src/core/state';

const v: VerificationState = {
  id: 'a',
  purpose: 'login',
  channel: 'voice',
  digest: 'd',
  to: '+1 ••• ••• ••53',
  sealed: 's',
  createdAt: 1,
  expiresAt: 2,
  checks: 3,
  sends: 4,
  lastSendAt: 5,
  status: 'pending',
  closedAt: 0,
  attempts: [{ messageId: 'm', channel: 'voice', at: 1, updatedAt: 1, state: 'queued' }],
  by: 'requester',
};
const state: PhoneState = {
  v: 1,
  sends: [1, 2],
  failures: 1,
  locks: 2,
  lockedUntil: 3,
  lastFailureAt: 4,
  verifications: [v, { ...v, id: 'b' }],
  requesters: [{ k: 'requester', s: [1], f: 1, l: 0, u: 0, t: 1 }],
  failers: ['requester'],
};

describe('record copies', () => {
  it('a verification copy keeps every field, including its requester and attempts', () => {
    const copy = editVerification(v, () => {});
    expect(copy).toStrictEqual(v);
    expect(copy).not.toBe(v);
    const edited = editVerification(v, (m) => {
      m.status = 'approved';
    });
    expect(edited).toStrictEqual({ ...v, status: 'approved' });
    expect(v.status).toBe('pending');
  });

  it('a verification without requester or attempts gets none', () => {
    const { attempts: _a, by: _b, ...plain } = v;
    const copy = editVerification(plain, () => {});
    expect(Object.keys(copy)).not.toContain('attempts');
    expect(Object.keys(copy)).not.toContain('by');
  });

  it('a state copy keeps every field, including requesters and failers', () => {
    const copy = editState(state, () => {});
    expect(copy).toStrictEqual(state);
    expect(copy).not.toBe(state);
    const edited = editState(state, (m) => {
      m.failures = 0;
    });
    expect(edited).toStrictEqual({ ...state, failures: 0 });
    expect(state.failures).toBe(1);
    const bare = editState(emptyState, () => {});
    expect(Object.keys(bare)).not.toContain('requesters');
    expect(Object.keys(bare)).not.toContain('failers');
  });

  it('a field the copies were never told about survives a copy (nothing is listed by hand)', () => {
    const later = { ...v, addedLater: { x: 1 } } as VerificationState;
    expect(editVerification(later, () => {})).toStrictEqual(later);
    const laterState = { ...state, addedLater: [1, 2] } as PhoneState;
    expect(editState(laterState, () => {})).toStrictEqual(laterState);
    expect(replaceVerification(laterState, later)).toMatchObject({ addedLater: [1, 2] });
  });

  it('replacing a verification changes only the one with its id', () => {
    const closed = { ...v, id: 'b', status: 'canceled' as const, closedAt: 9 };
    const out = replaceVerification(state, closed);
    expect(out.verifications).toStrictEqual([v, closed]);
    expect(state.verifications[1]!.status).toBe('pending');
  });
});
