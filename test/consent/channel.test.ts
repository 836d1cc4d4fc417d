/**
 * The channel in consent: entries carry the channel consent was given or withdrawn over
 * (WhatsApp opt-ins with `start`, a STOP received over WhatsApp), the MAC covers it, and
 * entries written before the field existed keep their MAC.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainKey, entryHash } from '../../src/consent/chain';
import type { Unsealed } from '../../src/consent/chain-mac';
import { verifyChain } from '../../src/index';
import { keyring, phoneKey } from '../../src/secrets';
import { PHONE, SECRET, setup, TEXT_V1 } from './support';

const ring = keyring(SECRET);
const KEY = chainKey(ring.lookup);
const PK = phoneKey(ring, PHONE);

/** The MAC as written before `channel` existed (re-derived here, not imported). */
function legacyHash(e: Unsealed): string {
  const parts = [
    'phoneproof.consent.entry.v1',
    PK,
    e.seq,
    e.prev,
    e.kind,
    e.at,
    e.source,
    e.text ?? null,
    e.version ?? null,
    e.keyword ?? null,
    e.personalDigest ?? null,
    ...(e.messageId !== undefined ? [e.messageId] : []),
  ];
  return createHmac('sha256', KEY).update(JSON.stringify(parts)).digest('base64url');
}

const base: Unsealed = { seq: 1, prev: '', kind: 'opted_out', at: 1, source: 'sms_keyword' };

describe('the entry MAC and the channel', () => {
  it('entries without a channel keep the MAC they were written with', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
        fc.option(fc.constantFrom('STOP', 'QUIT'), { nil: undefined }),
        (messageId, keyword) => {
          const e: Unsealed = {
            ...base,
            ...(messageId !== undefined ? { messageId } : {}),
            ...(keyword !== undefined ? { keyword } : {}),
          };
          expect(entryHash(KEY, PK, e)).toBe(legacyHash(e));
        },
      ),
    );
  });

  it('the channel is covered: dropping it, changing it or passing it off as a message id changes the MAC', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sms', 'voice', 'whatsapp' as const),
        fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
        (channel, messageId) => {
          const e: Unsealed = { ...base, channel, ...(messageId ? { messageId } : {}) };
          const h = entryHash(KEY, PK, e);
          const { channel: _c, ...without } = e;
          expect(entryHash(KEY, PK, without)).not.toBe(h);
          const other = channel === 'sms' ? 'whatsapp' : 'sms';
          expect(entryHash(KEY, PK, { ...e, channel: other })).not.toBe(h);
          // With a channel, the message id stays covered too.
          if (messageId !== undefined) {
            expect(entryHash(KEY, PK, { ...e, messageId: `${messageId}x` })).not.toBe(h);
          }
          if (messageId === undefined) {
            // The channel's value moved into messageId: same array length, other meaning.
            expect(entryHash(KEY, PK, { ...without, messageId: channel })).not.toBe(h);
          }
        },
      ),
    );
  });
});

describe('consent over WhatsApp through the verifier', () => {
  const consent = { text: TEXT_V1, version: 1, source: 'web_form' };

  it('a consent given with a WhatsApp start records channel whatsapp; one named overrides', async () => {
    const t = setup({ required: { version: 1, text: TEXT_V1 } });
    (await t.verifier.start({ phone: PHONE, channel: 'whatsapp', consent }))._unsafeUnwrap();
    t.advance(60_000);
    (await t.verifier.consent.record({ phone: PHONE, ...consent, channel: 'sms' }))._unsafeUnwrap();
    t.advance(60_000);
    (await t.verifier.consent.record({ phone: PHONE, ...consent }))._unsafeUnwrap();
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.entries.map((e) => e.channel)).toEqual(['whatsapp', 'sms', undefined]);
    expect(h.verdict.valid).toBe(true);
    const chain = { entries: h.entries, ...(h.anchor ? { anchor: h.anchor } : {}) };
    expect(verifyChain(chain, { secret: SECRET, phone: PHONE }).valid).toBe(true);
  });

  it('a STOP received over WhatsApp opts the number out of every channel, like an SMS STOP', async () => {
    const t = setup();
    const started = (await t.verifier.start({ phone: PHONE, channel: 'whatsapp' }))._unsafeUnwrap();
    const r = await t.verifier.consent.inbound({
      from: PHONE,
      text: 'STOP',
      messageId: 'wamid.HBgLMTIxMzM3MzQyNTM',
      channel: 'whatsapp',
    });
    expect(r._unsafeUnwrap()).toMatchObject({ action: 'opted_out' });
    const h = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(h.entries).toEqual([
      expect.objectContaining({
        kind: 'opted_out',
        source: 'whatsapp_keyword',
        channel: 'whatsapp',
        keyword: 'STOP',
        messageId: 'wamid.HBgLMTIxMzM3MzQyNTM',
      }),
    ]);
    expect(h.verdict.valid).toBe(true);
    t.advance(60_000);
    for (const channel of ['sms', 'voice', 'whatsapp'] as const) {
      const s = await t.verifier.start({ phone: PHONE, channel });
      expect(s._unsafeUnwrapErr().code).toBe('consent_required');
    }
    expect((await t.verifier.resend({ id: started.id }))._unsafeUnwrapErr().code).toBe('opted_out');
    expect(t.outbox.messages).toHaveLength(1);
    // START over WhatsApp opts back in, recorded as such.
    const back = await t.verifier.consent.inbound({
      from: PHONE,
      text: 'START',
      channel: 'whatsapp',
    });
    expect(back._unsafeUnwrap().action).toBe('opted_in');
    const after = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap();
    expect(after.entries.at(-1)).toMatchObject({ source: 'whatsapp_keyword', channel: 'whatsapp' });
  });

  it('an SMS STOP without a channel is recorded as before (no channel field)', async () => {
    const t = setup();
    (await t.verifier.consent.inbound({ from: PHONE, text: 'STOP' }))._unsafeUnwrap();
    const [e] = (await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap().entries;
    expect(e!.source).toBe('sms_keyword');
    expect(e).not.toHaveProperty('channel');
  });

  it('refuses a channel it cannot have come over, or no channel at all', async () => {
    const t = setup();
    for (const channel of ['voice', 'telegram', 1]) {
      const r = await t.verifier.consent.inbound({
        from: PHONE,
        text: 'STOP',
        channel: channel as never,
      });
      expect(r._unsafeUnwrapErr().code).toBe('invalid_request');
    }
    const rec = await t.verifier.consent.record({
      phone: PHONE,
      ...consent,
      channel: 'fax' as never,
    });
    expect(rec._unsafeUnwrapErr().code).toBe('invalid_request');
    const out = await t.verifier.consent.optOut({ phone: PHONE, channel: 'fax' as never });
    expect(out._unsafeUnwrapErr().code).toBe('invalid_request');
    expect((await t.verifier.consent.history({ phone: PHONE }))._unsafeUnwrap().entries).toEqual(
      [],
    );
  });
});
