import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  applyReport,
  attemptOf,
  isSendAttempt,
  MAX_ATTEMPTS,
  pendingAttempt,
  recordAttempt,
  type SendAttempt,
} from '../../src/delivery/attempts';
import { deliveryError } from '../../src/delivery/errors';
import { fallbackChannel, isOptOut, resolveFallback } from '../../src/delivery/fallback';
import { recordReport, recordSend, settleSend } from '../../src/delivery/record';
import type { DeliveryReport, DeliveryState } from '../../src/delivery/report';

const report = (state: DeliveryState, extra: Partial<DeliveryReport> = {}): DeliveryReport => ({
  provider: 'twilio',
  messageId: 'SM1',
  channel: 'sms',
  state,
  providerStatus: state,
  ...extra,
});

const states: DeliveryState[] = ['queued', 'sent', 'delivered', 'failed'];

const sent: SendAttempt = attemptOf(
  'sms',
  { ok: true, messageId: 'SM1', provider: 'twilio' },
  1000,
);

describe('send attempts', () => {
  it('a successful send is queued; a failed one is failed with its reason and code', () => {
    expect(sent).toEqual({
      messageId: 'SM1',
      provider: 'twilio',
      channel: 'sms',
      at: 1000,
      state: 'queued',
      updatedAt: 1000,
    });
    const failed = attemptOf(
      'sms',
      {
        ok: false,
        error: deliveryError('not_mobile', { provider: 'twilio', providerCode: 21614 }),
      },
      2000,
    );
    expect(failed).toEqual({
      messageId: '',
      provider: 'twilio',
      channel: 'sms',
      at: 2000,
      state: 'failed',
      updatedAt: 2000,
      reason: 'not_mobile',
      errorCode: '21614',
    });
    expect(isSendAttempt(sent) && isSendAttempt(failed)).toBe(true);
    expect(isSendAttempt({ ...sent, state: 'lost' })).toBe(false);
  });

  it(`keeps the newest ${MAX_ATTEMPTS}`, () => {
    let list: SendAttempt[] = [];
    for (let i = 0; i < MAX_ATTEMPTS + 3; i += 1) {
      list = recordAttempt(list, { ...sent, messageId: `SM${i}` });
    }
    expect(list).toHaveLength(MAX_ATTEMPTS);
    expect(list[0]!.messageId).toBe('SM3');
  });

  it('a report moves the attempt forward and records why it failed', () => {
    const failed = applyReport(
      [sent],
      report('failed', {
        error: deliveryError('unreachable', { provider: 'twilio', providerCode: 30003 }),
      }),
      5000,
    );
    expect(failed.changed).toBe(true);
    expect(failed.attempt).toMatchObject({
      state: 'failed',
      updatedAt: 5000,
      reason: 'unreachable',
      errorCode: '30003',
    });
    const delivered = applyReport(failed.attempts, report('delivered'), 6000);
    expect(delivered.attempt).toEqual({ ...sent, state: 'delivered', updatedAt: 6000 });
  });

  it('an older or repeated report changes nothing', () => {
    const d = applyReport([sent], report('delivered'), 5000);
    expect(applyReport(d.attempts, report('sent'), 6000).changed).toBe(false);
    expect(applyReport(d.attempts, report('delivered'), 7000).changed).toBe(false);
  });

  it('a report for an unknown message, or from another provider, is not applied', () => {
    expect(applyReport([sent], report('delivered', { messageId: 'SM9' }), 1).changed).toBe(false);
    expect(applyReport([sent], report('delivered', { provider: 'vonage' }), 1).changed).toBe(false);
  });

  test.prop([fc.array(fc.constantFrom(...states), { maxLength: 8 }), fc.nat(1000)])(
    'the same reports in any order give the same final state',
    (seq, seed) => {
      const shuffled = fc.sample(fc.shuffledSubarray(seq, { minLength: seq.length }), {
        seed,
        numRuns: 1,
      })[0]!;
      const final = (order: DeliveryState[]) =>
        order.reduce<readonly SendAttempt[]>(
          (list, s) => applyReport(list, report(s), 1).attempts,
          [sent],
        )[0]!.state;
      expect(final(shuffled)).toBe(final(seq));
    },
  );
});

describe('fallback and opt-out decisions', () => {
  const landline = deliveryError('not_mobile', { provider: 'twilio', providerCode: 21614 });

  it('a landline switches an SMS verification to voice by default', () => {
    expect(fallbackChannel('sms', landline)).toBe('voice');
  });

  it('no switch: from voice, on a retryable error, on other permanent reasons, or when disabled', () => {
    expect(fallbackChannel('voice', landline)).toBeUndefined();
    expect(fallbackChannel('sms', deliveryError('timeout'))).toBeUndefined();
    expect(fallbackChannel('sms', deliveryError('invalid_number'))).toBeUndefined();
    expect(fallbackChannel('sms', deliveryError('unsubscribed'))).toBeUndefined();
    expect(fallbackChannel('sms', landline, { voiceOn: false })).toBeUndefined();
  });

  it('the policy may add permanent reasons, never retryable ones', () => {
    expect(fallbackChannel('sms', deliveryError('blocked'), { voiceOn: ['blocked'] })).toBe(
      'voice',
    );
    expect(
      fallbackChannel('sms', deliveryError('unreachable'), { voiceOn: ['unreachable'] }),
    ).toBeUndefined();
  });

  it('Twilio 21610 (STOP) is an opt-out', () => {
    expect(
      isOptOut(deliveryError('unsubscribed', { provider: 'twilio', providerCode: 21610 })),
    ).toBe(true);
    expect(isOptOut(landline)).toBe(false);
  });
});

describe('attempts recorded before their message left (tagged)', () => {
  const rec = 'R'.repeat(32);
  const pending = pendingAttempt('sms', 1000, 'TAG00001');
  const tagged = (state: DeliveryState, messageId: string, extra: Partial<DeliveryReport> = {}) =>
    report(state, { messageId, ref: `${rec}TAG00001`, ...extra });

  it('the first report names the message, even at the state already recorded', () => {
    const r = applyReport([pending], tagged('queued', 'SM7'), 2000);
    expect(r.changed).toBe(true);
    expect(r.attempt).toEqual({ ...pending, messageId: 'SM7', provider: 'twilio' });
    expect(applyReport(r.attempts, tagged('queued', 'SM7'), 3000).changed).toBe(false);
  });

  it('a report without the tag is matched by message id only: no guessing', () => {
    // The record part of a ref is the first 32 characters of the verification id, which the
    // client holds: a report naming the record but not the send must not find the attempt.
    const forged = report('failed', { messageId: 'SMforged', ref: rec });
    expect(applyReport([pending], forged, 2000).changed).toBe(false);
    expect(recordReport([{ id: 'v', attempts: [pending] }], forged, 2000).changed).toBe(false);
  });

  it('another tag, or the same tag on another channel, is not applied', () => {
    expect(applyReport([pending], report('sent', { ref: `${rec}TAG00002` }), 1).changed).toBe(
      false,
    );
    const call = tagged('sent', 'CA1', { channel: 'voice' });
    expect(applyReport([pending], call, 1).changed).toBe(false);
  });

  const ids = ['SM1', 'SM2', 'SM3'];
  test.prop([
    fc.array(fc.tuple(fc.constantFrom(...states), fc.constantFrom(...ids)), { maxLength: 8 }),
    fc.nat(1000),
  ])(
    'one tag, several provider messages (a retried send, a long SMS): any order, same attempt',
    (seq, seed) => {
      const shuffled = fc.sample(fc.shuffledSubarray(seq, { minLength: seq.length }), {
        seed,
        numRuns: 1,
      })[0]!;
      const final = (order: Array<[DeliveryState, string]>) => {
        const [a] = order.reduce<readonly SendAttempt[]>(
          (list, [st, id]) => applyReport(list, tagged(st, id), 1).attempts,
          [pending],
        );
        const { updatedAt: _u, ...rest } = a!;
        return rest;
      };
      expect(final(shuffled)).toEqual(final(seq));
    },
  );

  it('settleSend replaces the pending attempt with its outcome, unless a report named it', () => {
    type V = { id: string; attempts?: readonly SendAttempt[] };
    const failed = attemptOf(
      'sms',
      { ok: false, error: deliveryError('timeout') },
      1000,
      'TAG00001',
    );
    const list: V[] = [{ id: 'v', attempts: [pending] }];
    const settled = settleSend(list, 'v', 'TAG00001', failed);
    expect(settled.verifications[0]!.attempts).toEqual([failed]);
    // The send timed out, yet the provider had it and reported: its report stands.
    const reported = recordReport(list, tagged('delivered', 'SM5'), 1500).verifications;
    const after = settleSend(reported, 'v', 'TAG00001', failed);
    expect(after.changed).toBe(false);
    expect(after.verifications[0]!.attempts![0]).toMatchObject({
      messageId: 'SM5',
      state: 'delivered',
    });
  });
});

describe('attempts on a phone record', () => {
  type V = { id: string; channel: 'sms' | 'voice'; attempts?: readonly SendAttempt[] };
  const list: V[] = [
    { id: 'v1', channel: 'sms' },
    { id: 'v2', channel: 'sms', attempts: [sent] },
  ];

  it('recordSend appends to the right verification, with an optional patch', () => {
    const call = attemptOf('voice', { ok: true, messageId: 'CA1', provider: 'twilio' }, 3000);
    const r = recordSend(list, 'v2', call, { channel: 'voice' });
    expect(r.changed).toBe(true);
    expect(r.verifications[1]).toEqual({ id: 'v2', channel: 'voice', attempts: [sent, call] });
    expect(r.verifications[0]).toBe(list[0]);
    expect(list[1]!.attempts).toEqual([sent]); // not mutated
    expect(recordSend(list, 'nope', call).changed).toBe(false);
  });

  it('recordReport finds the verification that sent the message', () => {
    const r = recordReport(list, report('delivered'), 9000);
    expect(r).toMatchObject({ changed: true, id: 'v2', attempt: { state: 'delivered' } });
    expect(recordReport(r.verifications, report('sent'), 9500)).toMatchObject({
      changed: false,
      id: 'v2',
    });
    expect(recordReport(list, report('delivered', { messageId: 'SMx' }), 1).changed).toBe(false);
  });
});

describe('resolveFallback', () => {
  it('accepts a list of reasons, false, or nothing', () => {
    expect(resolveFallback(undefined)).toEqual({});
    expect(resolveFallback({ voiceOn: false })).toEqual({ voiceOn: false });
    expect(resolveFallback({ voiceOn: ['blocked'] })).toEqual({ voiceOn: ['blocked'] });
  });

  it.each([null, 'x', { voiceOn: 'not_mobile' }, { voiceOn: [1] }])('rejects %o', (p) => {
    expect(() => resolveFallback(p as never)).toThrow(TypeError);
  });
});
