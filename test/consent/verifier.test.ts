/** The consent feature through the verifier: policy, refusals, inbound keywords, events. */
import { describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { consent } from '../../src/consent/index';
import { createVerifier, verifyChain } from '../../src/index';
import type { ConsentLedger } from '../../src/ports/consent-ledger';
import { outboxSender } from '../../src/senders/outbox';
import { OTHER, PHONE, SECRET, setup, TEXT_V1, TEXT_V2 } from './support';

const v1 = { text: TEXT_V1, version: 1, source: 'web_form' };

describe('without consent configured', () => {
  it('consent operations say it is not configured, and start refuses a consent it would drop', async () => {
    const t = setup(false);
    expect(t.verifier.consent.enabled).toBe(false);
    expect(setup().verifier.consent.enabled).toBe(true);
    for (const r of [
      await t.verifier.consent.status({ phone: PHONE }),
      await t.verifier.consent.inbound({ from: PHONE, text: 'STOP' }),
      await t.verifier.consent.record({ phone: PHONE, ...v1 }),
    ]) {
      expect(r._unsafeUnwrapErr()).toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining('not configured'),
      });
    }
    const s = await t.verifier.start({ phone: PHONE, consent: v1 });
    expect(s._unsafeUnwrapErr().code).toBe('invalid_request');
    expect(t.outbox.messages).toHaveLength(0);
    expect((await t.verifier.start({ phone: PHONE })).isOk()).toBe(true);
  });
});

describe('opt-out', () => {
  it('an opted-out phone is never sent anything: start and resend refuse, no state changes', async () => {
    const t = setup();
    const started = (await t.verifier.start({ phone: PHONE }))._unsafeUnwrap();
    expect(t.outbox.messages).toHaveLength(1);
    const out = await t.verifier.consent.optOut({ phone: PHONE, source: 'support_desk' });
    expect(out._unsafeUnwrap()).toEqual({ state: 'opted_out', at: t.clock.now });
    t.advance(60_000);
    const before = JSON.stringify(t.store.entries());
    expect((await t.verifier.resend({ id: started.id }))._unsafeUnwrapErr().code).toBe('opted_out');
    // A start answers like for a number that never consented: no opt-out oracle.
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr()).toMatchObject({
      code: 'consent_required',
    });
    expect(JSON.stringify(t.store.entries())).toBe(before);
    expect(t.outbox.messages).toHaveLength(1);
    expect((await t.verifier.start({ phone: OTHER })).isOk()).toBe(true);
  });

  it('opting out twice records one entry; opting back in lets messages through again', async () => {
    const t = setup();
    await t.verifier.consent.optOut({ phone: PHONE });
    await t.verifier.consent.optOut({ phone: PHONE });
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.entries.map((e) => e.kind)).toEqual(['opted_out']);
    expect(
      (await t.verifier.consent.inbound({ from: PHONE, text: 'start' }))._unsafeUnwrap(),
    ).toEqual({
      action: 'opted_in',
      reply: expect.stringContaining('Acme'),
    });
    expect((await t.verifier.start({ phone: PHONE })).isOk()).toBe(true);
  });
});

describe('required consent', () => {
  const required = { version: 1, text: TEXT_V1 };

  it('start without a current opt-in refuses with consent_required and sends nothing', async () => {
    const t = setup({ required });
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'consent_required',
    );
    expect(t.outbox.messages).toHaveLength(0);
    expect(t.store.size()).toBe(0);
  });

  it('start with consent records it verbatim (with ip and user agent) and sends in one call', async () => {
    const t = setup({ required });
    const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };
    const r = await t.verifier.start({ phone: PHONE, consent: v1, context });
    expect(r.isOk()).toBe(true);
    expect(t.outbox.messages).toHaveLength(1);
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.entries).toHaveLength(1);
    expect(h.entries[0]).toMatchObject({
      seq: 1,
      kind: 'opted_in',
      text: TEXT_V1,
      version: '1',
      source: 'web_form',
      ip: '203.0.113.9',
      userAgent: 'Mozilla/5.0',
      at: t.clock.now,
    });
    expect(h.verdict).toMatchObject({ valid: true, length: 1 });
    expect(h.status).toEqual({ state: 'opted_in', version: '1', at: t.clock.now });
    // Now current: later starts need no consent field.
    t.advance(3_600_000);
    expect((await t.verifier.start({ phone: PHONE })).isOk()).toBe(true);
  });

  it('a text that differs from the configured one is refused, not recorded', async () => {
    const t = setup({ required });
    for (const text of [`${TEXT_V1} `, TEXT_V1.toLowerCase(), TEXT_V2]) {
      const r = await t.verifier.start({ phone: PHONE, consent: { ...v1, text } });
      expect(r._unsafeUnwrapErr()).toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining('differs'),
      });
    }
    const stale = await t.verifier.consent.record({ phone: PHONE, text: TEXT_V1, version: 0 });
    expect(stale._unsafeUnwrapErr().code).toBe('invalid_request');
    expect(t.ledger.phones()).toHaveLength(0);
    expect(t.outbox.messages).toHaveLength(0);
  });

  it('a version bump makes earlier consents not current until the user consents again', async () => {
    const t = setup({ required });
    await t.verifier.start({ phone: PHONE, consent: v1 });
    const bumped = createVerifier({
      secret: SECRET,
      store: t.store,
      sender: t.outbox,
      now: () => t.clock.now,
      consent: consent({ ledger: t.ledger, required: { version: '2', text: TEXT_V2 } }),
    });
    expect((await bumped.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe('consent_required');
    expect((await bumped.consent.status({ phone: PHONE }))._unsafeUnwrap().version).toBe('1');
    const again = await bumped.start({ phone: PHONE, consent: { text: TEXT_V2, version: '2' } });
    expect(again.isOk()).toBe(true);
    expect((await bumped.consent.status({ phone: PHONE }))._unsafeUnwrap()).toMatchObject({
      state: 'opted_in',
      version: '2',
    });
  });

  it('an opt-out wins over a missing consent; a new consent on start opts back in once its code is verified', async () => {
    const t = setup({ required });
    await t.verifier.consent.inbound({ from: PHONE, text: 'STOP' });
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'consent_required',
    );
    const started = await t.verifier.start({ phone: PHONE, consent: v1 });
    expect(started.isOk()).toBe(true);
    expect(t.outbox.messages).toHaveLength(1);
    expect((await t.verifier.consent.status({ phone: PHONE }))._unsafeUnwrap().state).toBe(
      'opted_out',
    );
    const id = started._unsafeUnwrap().id;
    expect((await t.verifier.check({ id, code: t.outbox.last()!.code })).isOk()).toBe(true);
    expect((await t.verifier.consent.status({ phone: PHONE }))._unsafeUnwrap()).toMatchObject({
      state: 'opted_in',
      version: '1',
    });
  });

  it('a keyword opt-in restores the revoked version, and grants none when there was none', async () => {
    const t = setup({ required });
    await t.verifier.consent.inbound({ from: PHONE, text: 'YES' });
    expect(
      (await t.verifier.consent.status({ phone: PHONE }))._unsafeUnwrap().version,
    ).toBeUndefined();
    expect((await t.verifier.start({ phone: PHONE }))._unsafeUnwrapErr().code).toBe(
      'consent_required',
    );
    await t.verifier.consent.record({ phone: OTHER, text: TEXT_V1, version: 1 });
    await t.verifier.consent.inbound({ from: OTHER, text: 'stop' });
    await t.verifier.consent.inbound({ from: OTHER, text: 'unstop' });
    expect((await t.verifier.consent.status({ phone: OTHER }))._unsafeUnwrap()).toMatchObject({
      state: 'opted_in',
      version: '1',
    });
    expect((await t.verifier.start({ phone: OTHER })).isOk()).toBe(true);
  });

  it('consent is accepted with start only, and malformed consents are refused', async () => {
    const t = setup({ required });
    const s = (await t.verifier.start({ phone: PHONE, consent: v1 }))._unsafeUnwrap();
    t.advance(60_000);
    const resend = await t.verifier.resend({ id: s.id, consent: v1 } as never);
    expect(resend._unsafeUnwrapErr().code).toBe('invalid_request');
    for (const consent of [{}, { text: '', version: 1 }, { text: TEXT_V1, version: {} }, 'yes']) {
      const r = await t.verifier.start({ phone: OTHER, consent: consent as never });
      expect(r._unsafeUnwrapErr().code).toBe('invalid_request');
    }
    expect(
      (
        await t.verifier.start({ phone: OTHER, consent: { ...v1, source: 'bad source!' } })
      )._unsafeUnwrapErr().code,
    ).toBe('invalid_request');
    expect(t.ledger.phones()).toHaveLength(1);
  });
});

describe('inbound SMS', () => {
  it('STOP opts out with one confirmation; HELP answers; other text does nothing', async () => {
    const t = setup({ replies: { help: 'Acme codes. Help: acme.example/help' } });
    const inbound = async (text: string) =>
      (await t.verifier.consent.inbound({ from: PHONE, text }))._unsafeUnwrap();
    expect(await inbound('please stop texting me')).toEqual({ action: 'none' });
    expect(await inbound(' Stop! ')).toEqual({
      action: 'opted_out',
      reply: expect.stringContaining('START'),
    });
    expect(await inbound('QUIT')).toEqual({ action: 'opted_out' });
    expect(await inbound('info')).toEqual({
      action: 'help',
      reply: 'Acme codes. Help: acme.example/help',
    });
    expect(await inbound('Start.')).toEqual({
      action: 'opted_in',
      reply: expect.stringContaining('STOP'),
    });
    expect(await inbound('yes')).toEqual({ action: 'opted_in' });
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.entries.map((e) => [e.kind, e.keyword, e.text, e.source])).toEqual([
      ['opted_out', 'STOP', ' Stop! ', 'sms_keyword'],
      ['opted_in', 'START', 'Start.', 'sms_keyword'],
    ]);
  });

  it('records opt-outs from any country, even outside allowedCountries', async () => {
    const t = setup({}, { allowedCountries: ['US'] });
    const r = await t.verifier.consent.inbound({ from: OTHER, text: 'STOP' });
    expect(r._unsafeUnwrap().action).toBe('opted_out');
    expect((await t.verifier.consent.status({ phone: OTHER }))._unsafeUnwrap().state).toBe(
      'opted_out',
    );
  });

  it('refuses an invalid sender or body', async () => {
    const t = setup();
    expect(
      (await t.verifier.consent.inbound({ from: 'nope', text: 'STOP' }))._unsafeUnwrapErr().code,
    ).toBe('invalid_phone');
    expect(
      (await t.verifier.consent.inbound({ from: PHONE, text: 42 as never }))._unsafeUnwrapErr()
        .code,
    ).toBe('invalid_request');
  });
});

describe('events', () => {
  it('publishes opted_in / opted_out with a masked number and the chain position; silent suppresses', async () => {
    const t = setup();
    await t.verifier.consent.record({ phone: PHONE, ...v1, context: { userId: 'u1' } });
    await t.verifier.consent.inbound({ from: PHONE, text: 'STOP' });
    const [a, b] = t.consentEvents();
    expect(a).toMatchObject({ type: 'consent.opted_in', source: 'web_form', version: '1', seq: 1 });
    expect(a?.context).toEqual({ userId: 'u1' });
    expect(b).toMatchObject({
      type: 'consent.opted_out',
      source: 'sms_keyword',
      keyword: 'STOP',
      seq: 2,
    });
    expect(JSON.stringify(t.events)).not.toContain('2133734253');
    expect(a?.to).toContain('53');
    await t.verifier.consent.inbound({ from: PHONE, text: 'START', silent: true });
    await t.verifier.start({ phone: OTHER, consent: v1, silent: true });
    expect(t.consentEvents()).toHaveLength(2);
    // The event's position anchors the chain from outside the ledger.
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    const kept = b as { seq: number; hash: string };
    expect(verifyChain(h, { secret: SECRET, phone: PHONE, expect: kept }).valid).toBe(true);
  });
});

describe('a ledger that answers head() with a plain value', () => {
  it('is read before delivery like any other: opted-in numbers get their code, opted-out none', async () => {
    const base = memoryConsentLedger();
    // Same data, but `head` answers synchronously (an ill-typed custom ledger).
    const ledger = {
      ...base,
      head: ((k: string) => {
        const chain = base.unsafeChain(k);
        if (!chain) return {};
        return {
          entry: chain.entries.at(-1),
          ...(chain.anchor !== undefined ? { anchor: chain.anchor } : {}),
        };
      }) as unknown as ConsentLedger['head'],
    } as ConsentLedger;
    const outbox = outboxSender();
    const v = createVerifier({
      secret: SECRET,
      store: memoryStore(),
      sender: outbox,
      consent: consent({ ledger }),
    });
    expect((await v.start({ phone: PHONE })).isOk()).toBe(true);
    expect(outbox.messages).toHaveLength(1);
    await v.consent.optOut({ phone: OTHER });
    expect((await v.start({ phone: OTHER }))._unsafeUnwrapErr().code).toBe('consent_required');
    expect(outbox.messages).toHaveLength(1);
  });
});
