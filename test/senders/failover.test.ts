import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  admit,
  type CircuitState,
  closedCircuit,
  onFailure,
  onSuccess,
  resolveCircuit,
} from '../../src/senders/circuit';
import { type FailoverEvent, failoverSender } from '../../src/senders/failover';
import { message, scripted } from './scripted';

const r = resolveCircuit({ failureThreshold: 3, openMs: 1000, maxOpenMs: 3000 });

describe('circuit breaker transitions', () => {
  it('opens after the threshold of consecutive failures', () => {
    let s: CircuitState = closedCircuit;
    s = onFailure(s, 0, r);
    s = onFailure(s, 0, r);
    expect(s).toEqual({ mode: 'closed', failures: 2 });
    s = onSuccess(s);
    expect(s).toEqual(closedCircuit);
    for (let i = 0; i < 3; i += 1) s = onFailure(s, 100, r);
    expect(s).toEqual({ mode: 'open', until: 1100, openMs: 1000 });
  });

  it('refuses while open, then lets exactly one probe through', () => {
    const open: CircuitState = { mode: 'open', until: 1100, openMs: 1000 };
    expect(admit(open, 1099)).toMatchObject({ allowed: false });
    const probe = admit(open, 1100);
    expect(probe).toEqual({
      allowed: true,
      probe: true,
      state: { mode: 'half_open', openMs: 1000 },
    });
    expect(admit(probe.state, 1101).allowed).toBe(false);
  });

  it('a failed probe reopens for twice as long, capped; a good one closes', () => {
    const half: CircuitState = { mode: 'half_open', openMs: 1000 };
    expect(onFailure(half, 5000, r)).toEqual({ mode: 'open', until: 7000, openMs: 2000 });
    expect(onFailure({ mode: 'half_open', openMs: 2000 }, 0, r)).toEqual({
      mode: 'open',
      until: 3000,
      openMs: 3000,
    });
    expect(onSuccess(half)).toEqual(closedCircuit);
  });

  test.prop([fc.array(fc.tuple(fc.boolean(), fc.nat(500)), { maxLength: 60 })])(
    'never admits a call while open before its time, nor two at once while half open',
    (events) => {
      let s: CircuitState = closedCircuit;
      let now = 0;
      for (const [fails, dt] of events) {
        now += dt;
        const gate = admit(s, now);
        if (s.mode === 'open' && now < s.until) expect(gate.allowed).toBe(false);
        if (s.mode === 'half_open') expect(gate.allowed).toBe(false);
        s = gate.state;
        if (gate.allowed) s = fails ? onFailure(s, now, r) : onSuccess(s);
      }
    },
  );

  it('rejects nonsense settings', () => {
    expect(() => resolveCircuit({ failureThreshold: 0 })).toThrow(TypeError);
    expect(() => resolveCircuit({ openMs: 10, maxOpenMs: 5 })).toThrow(TypeError);
  });
});

describe('failoverSender', () => {
  const setup = (circuit: { failureThreshold: number; openMs: number } | false = false) => {
    let now = 0;
    const events: FailoverEvent[] = [];
    const a = scripted('a');
    const b = scripted('b');
    const chain = failoverSender([a, b], {
      now: () => now,
      circuit,
      onEvent: (e) => events.push(e),
    });
    return { a, b, chain, events, tick: (ms: number) => (now += ms) };
  };

  it('uses the first provider when it works', async () => {
    const { a, b, chain } = setup();
    expect(await chain.send(message())).toEqual({ ok: true, messageId: 'a-1', provider: 'a' });
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(0);
  });

  it.each([
    'network',
    'timeout',
    'server_error',
    'throttled',
    'provider_auth',
    'region_not_permitted',
    'throw',
  ] as const)('moves on after %s', async (step) => {
    const { a, b, chain, events } = setup();
    a.script(step);
    expect(await chain.send(message())).toMatchObject({ ok: true, provider: 'b' });
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'provider_failed', provider: 'a' });
  });

  it.each(['invalid_number', 'not_mobile', 'blocked', 'unsubscribed'] as const)(
    'stops at the permanent number error %s',
    async (reason) => {
      const { a, b, chain } = setup();
      a.script(reason);
      expect(await chain.send(message())).toMatchObject({
        ok: false,
        error: { kind: 'permanent', reason, provider: 'a' },
      });
      expect(b.calls).toHaveLength(0);
    },
  );

  it('skips a provider that cannot deliver the channel', async () => {
    const smsOnly = scripted('vonage', 'ok', ['sms']);
    const any = scripted('twilio');
    const chain = failoverSender([smsOnly, any], { circuit: false });
    expect(await chain.send(message({ channel: 'voice' }))).toMatchObject({ provider: 'twilio' });
    expect(smsOnly.calls).toHaveLength(0);
    // A member that names no channels delivers every one, WhatsApp included.
    expect(chain.channels).toEqual(['sms', 'voice', 'whatsapp']);
  });

  it('routes WhatsApp to the members that deliver it; a number not on WhatsApp stops the chain', async () => {
    const smsOnly = scripted('vonage', 'ok', ['sms', 'voice']);
    const wa = scripted('meta', 'not_on_whatsapp', ['whatsapp']);
    const other = scripted('twilio', 'ok', ['sms', 'whatsapp']);
    const chain = failoverSender([smsOnly, wa, other], { circuit: false });
    expect(chain.channels).toEqual(['sms', 'voice', 'whatsapp']);
    const r = await chain.send(message({ channel: 'whatsapp' }));
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'permanent', reason: 'not_on_whatsapp', provider: 'meta' },
    });
    expect(smsOnly.calls).toHaveLength(0);
    expect(other.calls).toHaveLength(0);
  });

  it('when every provider fails: the last real error, naming each one', async () => {
    const { a, b, chain } = setup();
    a.script('timeout');
    b.script('server_error');
    const outcome = await chain.send(message());
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'retryable', reason: 'server_error', provider: 'b' },
    });
    expect(!outcome.ok && outcome.error.message).toBe(
      'Every provider failed (a: timeout, b: server_error).',
    );
  });

  it('opens the circuit of a failing provider, skips it, then probes and closes it', async () => {
    const { a, chain, events, tick } = setup({ failureThreshold: 2, openMs: 1000 });
    a.script('server_error', 'server_error');
    await chain.send(message());
    await chain.send(message());
    expect(chain.health()[0]!.state).toEqual({ mode: 'open', until: 1000, openMs: 1000 });
    expect(events.filter((e) => e.type === 'circuit_opened')).toHaveLength(1);

    tick(999);
    expect(await chain.send(message())).toMatchObject({ provider: 'b' });
    expect(a.calls).toHaveLength(2); // skipped while open

    tick(1);
    expect(await chain.send(message())).toMatchObject({ provider: 'a' }); // the probe
    expect(a.calls).toHaveLength(3);
    expect(chain.health()[0]!.state).toEqual(closedCircuit);
    expect(events.at(-1)).toMatchObject({ type: 'circuit_closed', provider: 'a', at: 1000 });
  });

  it('a failed probe keeps the provider skipped for longer', async () => {
    const { a, chain, tick } = setup({ failureThreshold: 1, openMs: 1000 });
    a.script('timeout', 'timeout');
    await chain.send(message());
    tick(1000);
    await chain.send(message()); // probe fails
    expect(chain.health()[0]!.state).toEqual({ mode: 'open', until: 3000, openMs: 2000 });
  });

  it('a permanent error keeps the circuit closed (the provider answered)', async () => {
    const { a, chain } = setup({ failureThreshold: 1, openMs: 1000 });
    a.script('invalid_number');
    await chain.send(message());
    expect(chain.health()[0]!.state).toEqual(closedCircuit);
  });

  it('all circuits open: circuit_open, nobody called', async () => {
    const { a, b, chain } = setup({ failureThreshold: 1, openMs: 1000 });
    a.script('timeout');
    b.script('timeout');
    await chain.send(message());
    const outcome = await chain.send(message());
    expect(outcome).toMatchObject({ ok: false, error: { reason: 'circuit_open' } });
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(1);
  });

  it('refuses an empty chain or a non-sender', () => {
    expect(() => failoverSender([])).toThrow(/at least one/);
    expect(() => failoverSender([{} as never])).toThrow(/not a Sender/);
  });
});
