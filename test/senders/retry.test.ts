import { describe, expect, it } from 'vitest';
import { deliveryError } from '../../src/delivery/errors';
import { backoffDelay, resolveRetry, withRetry } from '../../src/senders/retry';
import { message, scripted } from './scripted';

const r = resolveRetry({ attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 });

describe('backoffDelay', () => {
  it('doubles per retry, capped, with equal jitter', () => {
    const e = deliveryError('server_error');
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, e, r, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, e, r, () => 0.999999))).toEqual(
      [100, 200, 400, 800, 1000].map((x) => expect.closeTo(x, 2)),
    );
  });

  it("uses the provider's Retry-After, and refuses one longer than the cap", () => {
    expect(backoffDelay(1, deliveryError('throttled', { retryAfterMs: 3000 }), r, () => 0)).toBe(
      3000,
    );
    expect(
      backoffDelay(1, deliveryError('throttled', { retryAfterMs: 60_000 }), r, () => 0),
    ).toBeUndefined();
  });
});

describe('withRetry', () => {
  const sleeps: number[] = [];
  const opts = {
    attempts: 3,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    random: () => 0,
  };

  it.each(['network', 'timeout', 'server_error', 'throttled'] as const)(
    'retries %s until success',
    async (reason) => {
      sleeps.length = 0;
      const s = scripted('p');
      s.script(reason, reason);
      const outcome = await withRetry(s, opts).send(message());
      expect(outcome.ok).toBe(true);
      expect(s.calls).toHaveLength(3);
      expect(sleeps).toEqual([125, 250]);
    },
  );

  it.each([
    'invalid_number',
    'not_mobile',
    'blocked',
    'unsubscribed',
    'provider_auth',
    'provider_config',
    'region_not_permitted',
    'channel_unsupported',
    'provider_error',
  ] as const)('does not retry %s', async (reason) => {
    const s = scripted('p', reason);
    const outcome = await withRetry(s, opts).send(message());
    expect(outcome).toMatchObject({ ok: false, error: { reason } });
    expect(s.calls).toHaveLength(1);
  });

  it('a throwing sender becomes a provider_error value, not retried', async () => {
    const s = scripted('p', 'throw');
    const outcome = await withRetry(s, opts).send(message());
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'retryable', reason: 'provider_error' },
    });
    expect(s.calls).toHaveLength(1);
  });

  it('stops after the configured attempts and returns the last error', async () => {
    const s = scripted('p', 'timeout');
    const outcome = await withRetry(s, { ...opts, attempts: 4 }).send(message());
    expect(outcome).toMatchObject({ ok: false, error: { reason: 'timeout' } });
    expect(s.calls).toHaveLength(4);
  });

  it('keeps the wrapped sender name and channels', () => {
    const wrapped = withRetry(scripted('twilio', 'ok', ['sms']), opts);
    expect(wrapped.name).toBe('twilio');
    expect(wrapped.channels).toEqual(['sms']);
  });

  it.each([{ attempts: 0 }, { attempts: 11 }, { baseDelayMs: -1 }, { factor: 0.5 }])(
    'rejects %o',
    (o) => {
      expect(() => resolveRetry(o)).toThrow(TypeError);
    },
  );
});
