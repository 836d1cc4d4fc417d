/**
 * `POST /phoneverification/request/{FullPhoneNumber}/{Path}` (reference page 002) as a
 * ServiceStack client built from the page sends it: JSV bodies (`Content-Type: text/jsv`, or
 * `?format=jsv`), JSV answers (`Accept: text/jsv`, `?format=jsv`), malformed bodies refused
 * with the same 400 as bad JSON; and the resend cooldown shared with the other examples.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPhoneVerificationApp,
  demoSystems,
} from '../../examples/phone-verification-request/app';
import { signPhoneVerificationRequest } from '../../examples/phone-verification-request/request';
import { consoleLines, fakeClock, fixtureText, send } from './support';

const APP_TOKEN = { authorization: 'Bearer demo-mobile-app-token' };
const JSV = { ...APP_TOKEN, 'content-type': 'text/jsv', accept: 'text/jsv' };
const CALLER = { systemId: 'mobile-app', secret: demoSystems['mobile-app'] };
const TARGET = '/phoneverification/request/+12133734253/signup';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A JSV value as the page writes it: bare, or quoted when it holds []{},". */
const jsvValue = (s: string) => (/[[\]{},"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The page's request layout, tabs and line breaks included, with these values. */
function pageLayout(r: ReturnType<typeof signPhoneVerificationRequest>): string {
  return `{
\tfullPhoneNumber: ${jsvValue(r.fullPhoneNumber ?? '')},
\tpath: ${jsvValue(r.path ?? '')},
\tdeviceId: ${jsvValue(r.deviceId ?? '')},
\tos: ${jsvValue(r.os ?? '')},
\trequestUnixUTCTimeStamp: ${r.requestUnixUTCTimeStamp},
\tsignature: 
\t{
\t\tsystemId: ${jsvValue(r.signature?.systemId ?? '')},
\t\tsignature: ${jsvValue(r.signature?.signature ?? '')}
\t}
}`;
}

/** Reads a flat JSV answer `{a:1,b:"x, y"}` (what the page's response sample shows). */
function jsvAnswer(text: string): Record<string, string> {
  expect(text.startsWith('{') && text.endsWith('}')).toBe(true);
  const out: Record<string, string> = {};
  for (const m of text.slice(1, -1).matchAll(/(\w+):("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)) {
    const v = m[2]!;
    out[m[1]!] = v.startsWith('"') ? v.slice(1, -1).replace(/""/g, '"') : v;
  }
  return out;
}

async function setup() {
  const time = fakeClock();
  const out = consoleLines();
  const built = createPhoneVerificationApp({ now: time.now, write: out.write });
  const base = await built.app.listen({ port: 0, host: '127.0.0.1' });
  close = () => built.app.close();
  const sample = await fixtureText('phone-verification-request.request.jsv');
  const post = (target: string, body: string, headers: Record<string, string> = JSV) =>
    send(base + target, body, headers);
  const signed = (target = TARGET, nowMs = time.now()) =>
    signPhoneVerificationRequest(
      target,
      { deviceId: 'device-7f3a', os: 'iOS 17.4' },
      { ...CALLER, nowMs },
    );
  const verify = async (token: string, code: string) => {
    const r = await post('/phoneverification/verify', JSON.stringify({ token, code }), {
      ...APP_TOKEN,
      'content-type': 'application/json',
    });
    return JSON.parse(r.text) as { verified: boolean };
  };
  return { ...built, time, out, sample, post, signed, verify };
}

describe('examples/phone-verification-request: JSV', () => {
  it("reads the page's JSV sample verbatim and answers in JSV: systemSecret is refused as in JSON", async () => {
    const t = await setup();
    const r = await t.post('/phoneverification/request', t.sample);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^text\/jsv/);
    expect(jsvAnswer(r.text)).toEqual({
      sentSuccess: 'False',
      statusCode: '400',
      statusMessage: 'Do not send systemSecret: sign the request with it instead.',
    });
    expect(t.out.lines).toEqual([]);
  });

  it('a signed request in JSV (text/jsv) sends the code and answers JSV with the token', async () => {
    const t = await setup();
    const r = await t.post(TARGET, pageLayout(t.signed()));
    expect(r.status).toBe(200);
    const answer = jsvAnswer(r.text);
    expect(answer).toMatchObject({
      sentSuccess: 'True',
      statusCode: '200',
      statusMessage: 'Code sent to +1 ••• ••• ••53.',
    });
    expect(answer.token).toMatch(/^[A-Za-z0-9_-]{70}$/);
    expect(t.out.lines).toHaveLength(1);
  });

  it('?format=jsv reads a JSV body sent without a JSV content type, and answers JSV', async () => {
    const t = await setup();
    const target = `${TARGET}?format=jsv`;
    const r = await t.post(target, pageLayout(t.signed(target)), {
      ...APP_TOKEN,
      'content-type': 'text/plain; charset=utf-8',
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/jsv/);
    expect(jsvAnswer(r.text)).toMatchObject({ sentSuccess: 'True', statusCode: '200' });
  });

  it('refuses malformed JSV with the same 400 as malformed JSON', async () => {
    const t = await setup();
    const json = await t.post(TARGET, '{"fullPhoneNumber": ', {
      ...APP_TOKEN,
      'content-type': 'application/json',
    });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text)).toMatchObject({
      token: null,
      sentSuccess: false,
      statusCode: 400,
    });
    for (const body of [
      '{fullPhoneNumber: +1',
      '{a:1,a:2}',
      '{a:{b:1}',
      '{__proto__:{x:1}}',
      '{:1}',
    ]) {
      const r = await t.post(TARGET, body, { ...APP_TOKEN, 'content-type': 'text/jsv' });
      expect(r.status, body).toBe(400);
      const answer = JSON.parse(r.text) as Record<string, unknown>;
      expect(answer, body).toMatchObject({ token: null, sentSuccess: false, statusCode: 400 });
      expect(answer.statusMessage, body).toMatch(/^The body is not valid JSV: /);
    }
    expect(t.out.lines).toEqual([]);
  });

  it('fuzz: no JSV body makes it crash or answer 500', async () => {
    const t = await setup();
    const valid = pageLayout(t.signed());
    const bodies = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .tuple(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 12 }))
        .map(([a, b, s]) => valid.slice(0, Math.min(a, b)) + s + valid.slice(Math.max(a, b))),
      fc
        .array(fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '""', 'a', ' ', '\n', 'path'), {
          maxLength: 60,
        })
        .map((p) => p.join('')),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const r = await t.post(TARGET, body);
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

describe('examples/phone-verification-request: the resend cooldown', () => {
  it('a second request for the same number and path within 30 s waits, then sends the same verification again', async () => {
    const t = await setup();
    const first = jsvAnswer((await t.post(TARGET, pageLayout(t.signed()))).text);
    const code = t.out.lastCode();
    t.time.advance(1_000);
    const soon = await t.post(TARGET, pageLayout(t.signed()));
    expect(soon.status).toBe(429);
    expect(soon.headers.get('retry-after')).toBe('29');
    expect(jsvAnswer(soon.text)).toMatchObject({ sentSuccess: 'False', statusCode: '429' });
    expect(t.out.lines).toHaveLength(1);
    t.time.advance(30_000);
    const again = jsvAnswer((await t.post(TARGET, pageLayout(t.signed()))).text);
    expect(again).toMatchObject({ sentSuccess: 'True', token: first.token });
    expect(t.out.lines).toHaveLength(2);
    const second = t.out.lastCode();
    if (second !== code) {
      const old = await t.verify(first.token!, code);
      expect(old.verified).toBe(false);
    }
    expect((await t.verify(first.token!, second)).verified).toBe(true);
  });
});
