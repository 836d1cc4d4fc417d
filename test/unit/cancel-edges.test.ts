/**
 * Cancelling in the pure core (src/core/check.ts): an id the caller cannot see is
 * `not_found`, and time still applies, so a refused cancel can change the record.
 */
import { describe, expect, it } from 'vitest';
import { cancelTransition } from '../../src/core/check';
import { defaultPolicy } from '../../src/core/policy';
import { type StartInput, startTransition } from '../../src/core/send';
import { emptyState } from '../../src/core/state';

const T = 1_700_000_000_000;
const MIN = 60_000;

const input = (id: string, by: string): StartInput => ({
  id,
  purpose: 'login',
  channel: 'sms',
  digest: `d-${id}`,
  to: '+1 *** *** **53',
  sealed: 's',
  by,
});

describe('cancelTransition edges', () => {
  const s = startTransition(emptyState, input('a', 'ip.a'), T, defaultPolicy).state;

  it('an unknown id or another requester’s verification is not_found; nothing changes', () => {
    for (const [id, by] of [
      ['zz', 'ip.a'],
      ['a', 'ip.b'],
    ] as const) {
      const step = cancelTransition(s, id, T + MIN, defaultPolicy, by);
      expect(step.decision._unsafeUnwrapErr()).toEqual({ code: 'not_found' });
      expect(step.changed).toBe(false);
      expect(step.state).toBe(s);
    }
  });

  it('a not_found cancel still applies the expiry that was due', () => {
    const step = cancelTransition(s, 'zz', T + 10 * MIN, defaultPolicy, 'ip.a');
    expect(step.decision._unsafeUnwrapErr()).toEqual({ code: 'not_found' });
    expect(step.changed).toBe(true);
    expect(step.state.verifications[0]?.status).toBe('expired');
    expect(step.events).toEqual([{ type: 'verification.expired', id: 'a', at: T + 10 * MIN }]);
  });
});
