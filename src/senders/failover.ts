/**
 * `failoverSender`: tries providers in order. It moves to the next one on a provider
 * failure (network, timeout, 5xx, 429, credentials, configuration, no route, channel not
 * supported) and stops at a permanent number error (invalid, landline for SMS, not on WhatsApp, blocked,
 * unsubscribed), which no other provider can fix. Each provider has a circuit breaker, so a
 * provider that keeps failing is skipped at once until a probe finds it working again.
 * @module
 */
import { deliveryError } from '../delivery/errors';
import {
  CHANNELS,
  type Channel,
  type DeliveryError,
  type OutgoingMessage,
  type Sender,
  type SendOutcome,
} from '../ports/sender';
import {
  admit,
  type CircuitOptions,
  type CircuitState,
  closedCircuit,
  onFailure,
  onSuccess,
  resolveCircuit,
} from './circuit';
import { sendSafely } from './retry';

/** A sender that says who it is and what it can deliver (the bundled adapters do). */
export interface NamedSender extends Sender {
  /** Provider name, e.g. `twilio`. */
  readonly name?: string;
  /** Channels it can deliver; omitted: all. */
  readonly channels?: readonly Channel[];
}

export type FailoverEvent =
  | {
      readonly type: 'provider_failed';
      readonly provider: string;
      readonly error: DeliveryError;
      readonly at: number;
    }
  | {
      readonly type: 'circuit_opened';
      readonly provider: string;
      readonly until: number;
      readonly at: number;
    }
  | { readonly type: 'circuit_closed'; readonly provider: string; readonly at: number };

export interface FailoverOptions {
  /** Clock for the circuit breakers, epoch ms (default `Date.now`). */
  readonly now?: () => number;
  /** Circuit breaker settings, or `false` for none. */
  readonly circuit?: CircuitOptions | false;
  /** Observes failovers and circuit changes (errors it throws are ignored). */
  readonly onEvent?: (event: FailoverEvent) => void;
}

export interface ProviderHealth {
  readonly provider: string;
  readonly state: CircuitState;
}

export interface FailoverSender extends NamedSender {
  /** Each provider's circuit, in chain order. */
  health(): ProviderHealth[];
}

/** Builds the chain. Throws when it is empty or a member is not a Sender. */
export function failoverSender(
  providers: readonly NamedSender[],
  options: FailoverOptions = {},
): FailoverSender {
  if (!Array.isArray(providers) || providers.length === 0) {
    throw new TypeError('phoneproof: failoverSender needs at least one sender.');
  }
  providers.forEach((p, i) => {
    if (!p || typeof p.send !== 'function') {
      throw new TypeError(`phoneproof: failoverSender member ${i} is not a Sender.`);
    }
  });
  const names = providers.map((p, i) => p.name ?? `provider${i + 1}`);
  const circuit = options.circuit === false ? undefined : resolveCircuit(options.circuit);
  const states: CircuitState[] = providers.map(() => closedCircuit);
  const now = options.now ?? Date.now;
  const emit = (e: FailoverEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      // Observers never fail a send.
    }
  };

  function settle(i: number, outcome: SendOutcome) {
    if (!circuit) return;
    const before = states[i]!;
    const at = now();
    const after =
      outcome.ok || outcome.error.kind === 'permanent'
        ? onSuccess(before)
        : onFailure(before, at, circuit);
    states[i] = after;
    if (after.mode === 'open' && (before.mode !== 'open' || before.until !== after.until)) {
      emit({ type: 'circuit_opened', provider: names[i]!, until: after.until, at });
    }
    if (after.mode === 'closed' && before.mode !== 'closed') {
      emit({ type: 'circuit_closed', provider: names[i]!, at });
    }
  }

  async function send(message: OutgoingMessage): Promise<SendOutcome> {
    const failures: DeliveryError[] = [];
    for (let i = 0; i < providers.length; i += 1) {
      const p = providers[i]!;
      const name = names[i]!;
      if (p.channels && !p.channels.includes(message.channel)) {
        failures.push(deliveryError('channel_unsupported', { provider: name }));
        continue;
      }
      if (circuit) {
        const gate = admit(states[i]!, now());
        states[i] = gate.state;
        if (!gate.allowed) {
          failures.push(deliveryError('circuit_open', { provider: name }));
          continue;
        }
      }
      const outcome = await sendSafely(p, message);
      settle(i, outcome);
      if (outcome.ok) return { ...outcome, provider: outcome.provider ?? name };
      const error = outcome.error.provider ? outcome.error : { ...outcome.error, provider: name };
      if (error.kind === 'permanent') return { ok: false, error };
      failures.push(error);
      emit({ type: 'provider_failed', provider: name, error, at: now() });
    }
    return { ok: false, error: summarize(failures) };
  }

  return {
    name: 'failover',
    ...(providers.every((p) => p.reportsCarryRef === true) ? { reportsCarryRef: true } : {}),
    channels: [...new Set(providers.flatMap((p) => p.channels ?? CHANNELS))],
    send,
    health: () => names.map((provider, i) => ({ provider, state: states[i]! })),
  };
}

/** The error of a chain where every provider failed: the most telling one, all named. */
function summarize(failures: readonly DeliveryError[]): DeliveryError {
  const real = failures.filter(
    (f) => f.reason !== 'circuit_open' && f.reason !== 'channel_unsupported',
  );
  const main = real.at(-1) ?? failures.at(-1)!;
  const all = failures.map((f) => `${f.provider ?? '?'}: ${f.reason}`).join(', ');
  return { ...main, message: `Every provider failed (${all}).` };
}
