/**
 * Attack: put the attacker's words in the victim's SMS. `start` and `resend` take a client
 * `template` (a name) and `locale` (a language tag) that pick the message text; a phisher
 * would like the trusted sender to text "call this number" or a link, or to reach an object
 * property instead of a template (`__proto__`, `constructor`). Over real sockets on every
 * framework: a name or tag outside its grammar is 400 and nothing is sent; a name the app
 * does not define (prototype names included) renders the default text; every text sent is
 * one of the app's or the built-in ones, with the code in it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { createRenderer } from '../../src/messages/index';
import { outboxSender } from '../../src/senders/outbox';
import { call } from '../http/kit';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const APP_TEXT = 'Acme code {code}. Never give it to anyone who calls you.';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe.each(FRAMEWORKS)('%s: client-chosen template and locale', (_name, mount) => {
  async function serve() {
    const outbox = outboxSender();
    const verifier = createVerifier({
      secret: 'message-text-adversary-secret-0123456789',
      store: memoryStore(),
      sender: outbox,
      abuse: false,
      appName: 'Acme',
      messages: createRenderer({ templates: { login: APP_TEXT } }),
    });
    running = await mount(verifier, {});
    const base = running.base;
    let n = 0;
    const start = (extra: Record<string, unknown>) => {
      n += 1;
      // A fresh number each time: the send windows are not what is under test.
      return call(`${base}/verifications`, {
        method: 'POST',
        json: { phone: `+1213373${String(4000 + n)}`, ...extra },
      });
    };
    return { outbox, start };
  }

  it('a template or locale outside its grammar is 400 and nothing is sent', async () => {
    const { outbox, start } = await serve();
    const hostile = [
      { template: 'Urgent: call +1 900 555 0100 to keep your account' },
      { template: 'https://evil.example/x' },
      { template: 'login\nVisit evil.example' },
      { template: 'x'.repeat(65) },
      { template: '' },
      // (Fastify's default Ajv coerces a one-element array to its element: docs/fastify.md.)
      { template: ['login', 'Call +1 900 555 0100'] },
      { template: { toString: 'login' } },
      { locale: '__proto__' },
      { locale: 'en US' },
      { locale: 'en-US\ncall us' },
      { locale: 'constructor' },
      { locale: 'en-a-b-c-d' },
    ];
    for (const extra of hostile) {
      const r = await start(extra);
      expect(r.status, JSON.stringify(extra)).toBe(400);
      expect(r.json.error.code).toBe('invalid_request');
    }
    expect(outbox.messages).toEqual([]);
  });

  it('names the app does not define, prototype names included, render the default text', async () => {
    const { outbox, start } = await serve();
    expect((await start({})).status).toBe(201);
    const plain = outbox.last()!;
    const defaultText = (m: typeof plain) => m.text.replace(m.code, '{code}');
    for (const template of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'made-up']) {
      const r = await start({ template });
      expect(r.status, template).toBe(201);
      const m = outbox.last()!;
      expect(defaultText(m), template).toBe(defaultText(plain));
      expect(m.text).toContain(m.code);
    }
    // The app's own template, and a built-in one, are what a name can reach.
    expect((await start({ template: 'login' })).status).toBe(201);
    expect(outbox.last()!.text).toBe(APP_TEXT.replace('{code}', outbox.last()!.code));
    expect((await start({ template: 'reset' })).status).toBe(201);
    expect(defaultText(outbox.last()!)).not.toBe(defaultText(plain));
  });

  it('any well-formed locale renders a catalog text with the code, never the tag itself', async () => {
    const { outbox, start } = await serve();
    for (const locale of ['zz', 'xx-Evil', 'en-US', 'pt-BR', 'zh-Hant-TW', 'qaa-Call-Now-1900']) {
      const r = await start({ locale });
      expect(r.status, locale).toBe(201);
      const m = outbox.last()!;
      expect(m.text).toContain(m.code);
      expect(m.text.toLowerCase()).not.toContain('evil');
      expect(m.text.toLowerCase()).not.toContain('call-now');
    }
  });
});
