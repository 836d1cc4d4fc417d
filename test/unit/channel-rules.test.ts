/**
 * The channel in the pure core: limits are blind to it (a WhatsApp message counts in the
 * phone's send windows like an SMS or a call), records with any channel encode and decode,
 * and the fallback table (src/delivery/fallback.ts) is a chain that ends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/core/policy';
import { resendTransition, startTransition } from '../../src/core/send';
import { decodeState, emptyState, encodeState, type PhoneState } from '../../src/core/state';
import { deliveryError, PERMANENT_REASONS } from '../../src/delivery/errors';
import { fallbackChannel, resolveFallback } from '../../src/delivery/fallback';
import { CHANNELS, type Channel } from '../../src/ports/sender';

const T = 1_700_000_000_000;
const policy = resolvePolicy({
  resendCooldownMs: 0,
  sendWindows: [
    { windowMs: 60_000, max: 3 },
    { windowMs: 600_000, max: 5 },
  ],
  maxSends: 4,
});

type Op =
  | {
      readonly kind: 'start';
      readonly channel: Channel;
      readonly purpose: string;
      readonly dt: number;
    }
  | { readonly kind: 'resend'; readonly channel: Channel | undefined; readonly dt: number };

const channel = fc.constantFrom(...CHANNELS);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('start' as const),
    channel,
    purpose: fc.constantFrom('login', 'signup'),
    dt: fc.integer({ min: 0, max: 90_000 }),
  }),
  fc.record({
    kind: fc.constant('resend' as const),
    channel: fc.option(channel, { nil: undefined }),
    dt: fc.integer({ min: 0, max: 90_000 }),
  }),
);

/** Runs the operations; answers each decision (ok, or the refusal code). */
function run(ops: readonly Op[], mapChannel: (c: Channel) => Channel): string[] {
  let state: PhoneState = emptyState;
  let now = T;
  let n = 0;
  let last: string | undefined;
  return ops.map((o) => {
    now += o.dt;
    n += 1;
    const step =
      o.kind === 'start'
        ? startTransition(
            state,
            {
              id: `v${n}`,
              purpose: o.purpose,
              channel: mapChannel(o.channel),
              digest: `d${n}`,
              to: '+1 *** *** **00',
              sealed: `s${n}`,
            },
            now,
            policy,
          )
        : resendTransition(
            state,
            {
              id: last ?? 'none',
              digest: `d${n}`,
              ...(o.channel ? { channel: mapChannel(o.channel) } : {}),
            },
            now,
            policy,
          );
    state = step.state;
    if (o.kind === 'start' && step.decision.isOk()) last = `v${n}`;
    return step.decision.isOk() ? 'ok' : step.decision.error.code;
  });
}

describe('limits are blind to the channel', () => {
  it('any mix of WhatsApp, SMS and voice is decided exactly as if every message were an SMS', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        expect(run(ops, (c) => c)).toEqual(run(ops, () => 'sms'));
      }),
    );
  });

  it('three WhatsApp starts fill a window of three: the fourth message, on any channel, is refused', () => {
    for (const c of CHANNELS) {
      const ops: Op[] = [
        { kind: 'start', channel: 'whatsapp', purpose: 'login', dt: 0 },
        { kind: 'resend', channel: 'whatsapp', dt: 1000 },
        { kind: 'start', channel: 'whatsapp', purpose: 'signup', dt: 1000 },
        { kind: 'start', channel: c, purpose: 'login', dt: 1000 },
      ];
      expect(run(ops, (x) => x)).toEqual(['ok', 'ok', 'ok', 'send_limit_reached']);
    }
  });

  it('a record holding WhatsApp verifications encodes and decodes unchanged', () => {
    const step = startTransition(
      emptyState,
      { id: 'v1', purpose: 'login', channel: 'whatsapp', digest: 'd', to: '+1', sealed: 's' },
      T,
      policy,
    );
    const encoded = encodeState(step.state);
    expect(decodeState(encoded)).toEqual(step.state);
    // A channel the library does not know is a corrupt record, not a silent default.
    expect(() => decodeState(encoded.replace('"whatsapp"', '"telegram"'))).toThrow();
  });
});

describe('the fallback chain', () => {
  const reason = fc.constantFrom(...PERMANENT_REASONS, 'timeout', 'unreachable', 'provider_error');
  const list = fc.oneof(
    fc.constant(undefined),
    fc.constant(false as const),
    fc.subarray([...PERMANENT_REASONS, 'unreachable' as const]),
  );

  it('from any channel, under any policy and failures, it never revisits a channel (at most two switches)', () => {
    fc.assert(
      fc.property(
        channel,
        fc.array(reason, { minLength: 3, maxLength: 3 }),
        list,
        list,
        (c, rs, voiceOn, smsOn) => {
          const policy = {
            ...(voiceOn !== undefined ? { voiceOn } : {}),
            ...(smsOn !== undefined ? { smsOn } : {}),
          };
          const seen: Channel[] = [c];
          let at: Channel | undefined = c;
          for (const r of rs) {
            at = fallbackChannel(at, deliveryError(r), policy);
            if (at === undefined) break;
            expect(seen).not.toContain(at);
            seen.push(at);
          }
          expect(seen.length).toBeLessThanOrEqual(3);
        },
      ),
    );
  });

  it('WhatsApp falls back to SMS when the number is not on WhatsApp, by default only then', () => {
    expect(fallbackChannel('whatsapp', deliveryError('not_on_whatsapp'))).toBe('sms');
    for (const r of [
      'invalid_number',
      'not_mobile',
      'blocked',
      'unsubscribed',
      'timeout',
    ] as const) {
      expect(fallbackChannel('whatsapp', deliveryError(r))).toBeUndefined();
    }
    expect(
      fallbackChannel('whatsapp', deliveryError('not_on_whatsapp'), { smsOn: false }),
    ).toBeUndefined();
    // Each field governs its own step: voiceOn does not touch WhatsApp, smsOn not SMS.
    expect(fallbackChannel('whatsapp', deliveryError('not_on_whatsapp'), { voiceOn: false })).toBe(
      'sms',
    );
    expect(fallbackChannel('sms', deliveryError('not_mobile'), { smsOn: false })).toBe('voice');
    expect(fallbackChannel('sms', deliveryError('not_on_whatsapp'))).toBeUndefined();
    // Retryable reasons never switch, even when named.
    expect(
      fallbackChannel('whatsapp', deliveryError('unreachable'), { smsOn: ['unreachable'] }),
    ).toBeUndefined();
  });

  it('validates both fields at construction', () => {
    expect(resolveFallback(undefined)).toEqual({});
    const good = { smsOn: ['not_on_whatsapp' as const], voiceOn: false as const };
    expect(resolveFallback(good)).toBe(good);
    for (const bad of [
      null,
      'x',
      { smsOn: 'not_on_whatsapp' },
      { smsOn: [1] },
      { smsOn: true },
      { voiceOn: ['not_mobile'], smsOn: [null] },
      { smsOn: ['not_on_whatsapp', 1] },
    ]) {
      expect(() => resolveFallback(bad as never)).toThrow(TypeError);
    }
    expect(() => resolveFallback({ smsOn: 'x' } as never)).toThrow(/delivery\.fallback\.smsOn/);
    for (const bad of [null, 'x']) {
      expect(() => resolveFallback(bad as never)).toThrow(/`delivery\.fallback` must be an object/);
    }
  });
});
