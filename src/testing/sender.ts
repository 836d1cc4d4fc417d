/**
 * The Sender port's contract, run against every sender (outbox, console, Twilio, Vonage,
 * failover, and senders published elsewhere). A sender's test file builds a harness and
 * calls `senderContract(vitest, name, make)`.
 *
 * The contract: `send` resolves (never rejects) with a non-empty message id, distinct per
 * message, and the text reaches the provider whole; a channel the sender cannot deliver is
 * a `channel_unsupported` failure with nothing delivered (a WhatsApp message is never
 * turned into a call or an SMS by the sender: fallback is the verifier's decision); failures are typed
 * (`permanent` with a number reason, or `retryable`) and their messages never contain the
 * code; concurrent sends all succeed.
 * @module
 */
import { PERMANENT_REASONS } from '../delivery/errors';
import { defaultRenderer } from '../messages/render';
import type { Channel, OutgoingMessage, Sender } from '../ports/sender';
import type { TestRunner } from './runner';

/** What reached the provider (as the provider saw it). */
export interface Delivered {
  readonly channel: Channel;
  /** The text, TwiML or NCCO the provider received. */
  readonly content: string;
}

/** What the sender suite needs from a sender's test file (made afresh for each test). */
export interface SenderHarness {
  readonly sender: Sender;
  /** Channels this sender delivers. */
  readonly channels: readonly Channel[];
  /** Everything the provider accepted so far. */
  delivered(): Delivered[];
  /** Makes the next send fail this way; omitted when the sender cannot fail (console). */
  readonly failNext?: (kind: 'permanent' | 'retryable') => void;
  close?(): Promise<void>;
}

const CODE = '482916';
const spoken = '4. 8. 2. 9. 1. 6.';

/** The message the suite sends: the default English text of code 482916, to +1415555010n. */
export function contractMessage(channel: Channel, n = 1): OutgoingMessage {
  const text = defaultRenderer({
    code: CODE,
    channel,
    locale: 'en',
    appName: 'Acme',
    minutes: 10,
    purpose: 'verify',
  });
  return {
    to: `+1415555${String(100 + n).padStart(4, '0')}`,
    channel,
    text,
    code: CODE,
    locale: 'en',
    verificationId: `${'K'.repeat(32)}${String(n).padStart(22, 'n')}`,
  };
}

type Harness = () => SenderHarness;

function deliveries({ it, expect }: TestRunner, h: Harness): void {
  it('delivers an SMS and resolves with a message id', async () => {
    const outcome = await h().sender.send(contractMessage('sms'));
    expect(outcome.ok).toBe(true);
    expect(
      outcome.ok && typeof outcome.messageId === 'string' && outcome.messageId.length > 0,
    ).toBe(true);
    const sms = h()
      .delivered()
      .filter((d) => d.channel === 'sms');
    expect(sms).toHaveLength(1);
    expect(sms[0]!.content).toContain(`verification code is ${CODE}`);
  });

  it('gives each message its own id', async () => {
    const a = await h().sender.send(contractMessage('sms', 1));
    const b = await h().sender.send(contractMessage('sms', 2));
    expect(a.ok && b.ok && a.messageId !== b.messageId).toBe(true);
  });

  it('voice: a call that reads the code digit by digit, or channel_unsupported', async () => {
    const outcome = await h().sender.send(contractMessage('voice'));
    if (h().channels.includes('voice')) {
      expect(outcome.ok).toBe(true);
      const calls = h()
        .delivered()
        .filter((d) => d.channel === 'voice');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.content).toContain(spoken);
    } else {
      expect(outcome).toMatchObject({
        ok: false,
        error: { kind: 'retryable', reason: 'channel_unsupported' },
      });
      expect(h().delivered()).toHaveLength(0);
    }
  });

  it('whatsapp: a template message carrying the code, or channel_unsupported (never a call or an SMS)', async () => {
    const outcome = await h().sender.send(contractMessage('whatsapp'));
    const delivered = h().delivered();
    if (h().channels.includes('whatsapp')) {
      expect(outcome.ok).toBe(true);
      expect(delivered.map((d) => d.channel)).toEqual(['whatsapp']);
      expect(delivered[0]!.content).toContain(CODE);
    } else {
      expect(outcome).toMatchObject({
        ok: false,
        error: { kind: 'retryable', reason: 'channel_unsupported' },
      });
      expect(delivered).toHaveLength(0);
    }
  });

  it('ten concurrent sends all succeed with distinct ids', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h().sender.send(contractMessage('sms', i + 1))),
    );
    const ids = outcomes.map((o) => (o.ok ? o.messageId : `failed:${o.error.reason}`));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(new Set(ids).size).toBe(10);
    expect(h().delivered()).toHaveLength(10);
  });
}

function failures({ it, expect }: TestRunner, h: Harness): void {
  it('a permanent failure is typed, names a number reason, and leaks no code', async () => {
    const harness = h();
    if (!harness.failNext) return;
    harness.failNext('permanent');
    const outcome = await harness.sender.send(contractMessage('sms'));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe('permanent');
    expect(PERMANENT_REASONS).toContain(outcome.error.reason);
    expect(outcome.error.message).not.toContain(CODE);
    expect(harness.delivered()).toHaveLength(0);
  });

  it('a retryable failure is typed retryable and leaks no code', async () => {
    const harness = h();
    if (!harness.failNext) return;
    harness.failNext('retryable');
    const outcome = await harness.sender.send(contractMessage('sms'));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe('retryable');
    expect(typeof outcome.error.reason).toBe('string');
    expect(outcome.error.message).not.toContain(CODE);
    expect(harness.delivered()).toHaveLength(0);
  });
}

/** Registers the Sender contract; `make` is called before each test and `close` after it. */
export function senderContract(
  runner: TestRunner,
  name: string,
  make: () => Promise<SenderHarness>,
): void {
  runner.describe(`Sender contract: ${name}`, () => {
    let harness: SenderHarness | undefined;
    const h = (): SenderHarness => {
      if (!harness) throw new Error('the sender harness was not made (beforeEach failed)');
      return harness;
    };
    runner.beforeEach(async () => {
      harness = await make();
    });
    runner.afterEach(() => harness?.close?.());
    deliveries(runner, h);
    failures(runner, h);
  });
}
