/**
 * Forged WhatsApp delivery statuses, over real sockets on every framework. The attacker knows
 * the app's status webhook URL, the victim's number and (from a leaked log, a proxy or a
 * captured request) the send's reference and the provider's message id, and may hold genuine
 * signed statuses of another verification (their own number's). What they want: a forged
 * "not on WhatsApp" failure pushes the victim's code to SMS (a new code, a new message paid
 * for); a forged failure or delivery falsifies the send's record.
 *
 * - Twilio (`twilioSender` on WhatsApp, `StatusCallback?ref=`): the app's route checks
 *   `X-Twilio-Signature` with `twilioStatusWebhook` (docs/delivery.md). Missing, wrong-token,
 *   another-URL, altered-status, polluted and re-targeted signatures are 403; the victim's
 *   attempts and the provider's requests stay as they were. The genuine signed failure does
 *   fall back to SMS (the control: only the signature differs).
 * - Vonage Messages API (`vonageSender` on WhatsApp, `client_ref`): the app's route checks
 *   the webhook's `Authorization: Bearer` HS256 JWT and its `payload_hash`, and reads the
 *   status from the signed bytes, with `vonageStatusWebhook` (docs/providers/whatsapp.md). No
 *   token, wrong secret, `alg: none`, another algorithm, expired or future `iat`, a past
 *   `exp`, no or another body's hash, a body swapped or re-targeted under a genuine token, a
 *   genuine body and token re-sent as a form or text: 401, nothing changes. The genuine
 *   status is applied (the control).
 *
 * The webhook is the application's own route, written once (below) and served by Express,
 * Fastify and a Web-standard handler on node:http; each framework hands it the raw body.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { twilioSender, twilioSignature, twilioStatusWebhook } from '../../adapters/twilio/index';
import { vonageSender, vonageStatusWebhook } from '../../adapters/vonage/index';
import { createVerifier } from '../../src/index';
import type { Sender } from '../../src/ports/sender';
import type { Verifier } from '../../src/verifier/types';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio';
import { startVonageFake, type VonageFake } from '../fakes/vonage';

const PUBLIC = 'https://hooks.acme.example';
const VICTIM = '+5511987654321';
const OTHER = '+5511976543210';
const TWILIO_SID = `AC${'a1'.repeat(16)}`;
const TWILIO_TOKEN = 'twilio-auth-token-status-adversary-01';
const TWILIO_SMS_FROM = '+15005550006';
const TWILIO_WA_FROM = '+14155238886';
const CONTENT_SID = `HX${'e'.repeat(32)}`;
const VONAGE_KEY = 'abcd1234';
const VONAGE_API_SECRET = 'secret-5678';
const VONAGE_SIGNATURE_SECRET = 'vonage-signature-secret-status-adversary';
const VONAGE_WA = '447700900123';

/** What a framework hands the app's route: the target (path and query), headers, raw body. */
interface HookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly raw: string;
}
type Hook = (req: HookRequest) => Promise<{ status: number; body: unknown }>;
interface Served {
  readonly origin: string;
  close(): Promise<void>;
}

const single = (h: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v as string)]),
  );

async function listen(server: http.Server): Promise<Served> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The app's webhook route on each framework: raw body, headers and target to `hook`. */
const FRAMEWORKS: readonly (readonly [string, (path: string, hook: Hook) => Promise<Served>])[] = [
  [
    'express',
    async (path, hook) => {
      const app = express();
      app.post(path, express.text({ type: () => true }), async (req, res) => {
        const raw = typeof req.body === 'string' ? req.body : '';
        const r = await hook({ url: req.originalUrl, headers: single(req.headers), raw });
        res.status(r.status).json(r.body);
      });
      return listen(http.createServer(app));
    },
  ],
  [
    'fastify',
    async (path, hook) => {
      const app = Fastify();
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      app.post(path, async (req, reply) => {
        const raw = typeof req.body === 'string' ? req.body : '';
        const r = await hook({ url: req.url, headers: single(req.headers), raw });
        return reply.code(r.status).send(r.body);
      });
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      return { origin: address, close: () => app.close() };
    },
  ],
  [
    'fetch',
    async (path, hook) => {
      const handler = async (request: Request) => {
        const u = new URL(request.url);
        if (request.method !== 'POST' || u.pathname !== path)
          return new Response(null, { status: 404 });
        const r = await hook({
          url: u.pathname + u.search,
          headers: Object.fromEntries(request.headers),
          raw: await request.text(),
        });
        return Response.json(r.body, { status: r.status });
      };
      const server = http.createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const request = new Request(`http://127.0.0.1${req.url}`, {
          method: req.method ?? 'POST',
          headers: single(req.headers) as Record<string, string>,
          body: Buffer.concat(chunks),
        });
        const response = await handler(request);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
      return listen(server);
    },
  ],
];

/** The rest of the app's route, shared: hand the report to the verifier and answer. */
async function applied(verifier: Verifier, report: Parameters<Verifier['delivery']>[0]['report']) {
  const r = await verifier.delivery({ report });
  if (r.isErr()) return { status: r.error.code === 'not_found' ? 404 : 400, body: r.error.code };
  return {
    status: 200,
    body: { changed: r.value.changed, fallback: r.value.fallback !== undefined },
  };
}

const states = async (verifier: Verifier, id: string) =>
  (await verifier.status({ id }))._unsafeUnwrap().attempts?.map((a) => `${a.channel}:${a.state}`);

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

describe.each(FRAMEWORKS)('%s: forged Twilio WhatsApp status callbacks', (_name, serve) => {
  let fake: TwilioFake;
  beforeEach(async () => {
    fake = await startTwilioFake({
      accountSid: TWILIO_SID,
      authToken: TWILIO_TOKEN,
      numbers: [TWILIO_SMS_FROM],
      whatsappNumbers: [TWILIO_WA_FROM],
      contents: { [CONTENT_SID]: ['1'] },
    });
    closers.push(() => fake.close());
  });

  async function setup() {
    const sender: Sender = twilioSender({
      accountSid: TWILIO_SID,
      authToken: TWILIO_TOKEN,
      from: TWILIO_SMS_FROM,
      baseUrl: fake.url,
      retry: false,
      statusCallback: `${PUBLIC}/hooks/twilio/status`,
      whatsapp: { from: TWILIO_WA_FROM, templates: { en: CONTENT_SID } },
    });
    const verifier = createVerifier({
      secret: 'forged-whatsapp-status-secret-0123456789',
      store: memoryStore(),
      sender,
      abuse: false,
    });
    const readStatus = twilioStatusWebhook({ authToken: TWILIO_TOKEN });
    const served = await serve('/hooks/twilio/status', async (req) => {
      const report = readStatus({
        url: `${PUBLIC}${req.url}`, // the public URL Twilio called
        signature: req.headers['x-twilio-signature'],
        params: new URLSearchParams(req.raw),
      });
      if (report.isErr()) return { status: 403, body: report.error.code };
      return applied(verifier, report.value);
    });
    closers.push(() => served.close());

    /** A WhatsApp verification: its id, the callback URL path Twilio got, the message id. */
    const begin = async (phone: string) => {
      const id = (await verifier.start({ phone, channel: 'whatsapp' }))._unsafeUnwrap().id;
      const sent = fake.requests.length - 1;
      const callback = new URL(fake.fields(sent).get('StatusCallback')![0]!);
      const sid = (fake.replies[sent]!.body as { sid: string }).sid;
      return { id, path: callback.pathname + callback.search, sid, to: `whatsapp:${phone}` };
    };
    const victim = await begin(VICTIM);
    const other = await begin(OTHER);
    const callback = (v: typeof victim, status: string, errorCode?: string) => ({
      MessageSid: v.sid,
      SmsSid: v.sid,
      AccountSid: TWILIO_SID,
      From: `whatsapp:${TWILIO_WA_FROM}`,
      To: v.to,
      MessageStatus: status,
      SmsStatus: status,
      ChannelPrefix: 'whatsapp',
      ApiVersion: '2010-04-01',
      ...(errorCode ? { ErrorCode: errorCode } : {}),
    });
    const sign = (path: string, params: Record<string, string>, token = TWILIO_TOKEN) =>
      twilioSignature(token, `${PUBLIC}${path}`, params);
    const post = async (
      path: string,
      params: Record<string, string> | URLSearchParams,
      signature?: string,
    ) => {
      const r = await fetch(`${served.origin}${path}`, {
        method: 'POST',
        body: new URLSearchParams(params).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}),
        },
      });
      return { status: r.status, body: (await r.json().catch(() => undefined)) as unknown };
    };
    return { verifier, victim, other, callback, sign, post };
  }

  it('unsigned, wrong-token and made-up signatures on a forged 63003 failure: 403, no SMS', async () => {
    const { verifier, victim, callback, sign, post } = await setup();
    const forged = callback(victim, 'undelivered', '63003');
    const requests = fake.requests.length;
    expect((await post(victim.path, forged)).status).toBe(403);
    expect((await post(victim.path, forged, '')).status).toBe(403);
    expect(
      (await post(victim.path, forged, sign(victim.path, forged, 'another-token'))).status,
    ).toBe(403);
    expect((await post(victim.path, forged, 'c2lnbmF0dXJlLW1hZGUtdXA9')).status).toBe(403);
    expect(fake.requests.length).toBe(requests);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:queued']);
  });

  it('a genuine signature for another URL, or for the same URL and another status: 403', async () => {
    const { verifier, victim, callback, sign, post } = await setup();
    const forged = callback(victim, 'undelivered', '63003');
    // Signed for the inbound-SMS URL, the bare callback URL (no ref), another host.
    for (const url of ['/verify/inbound-sms', '/hooks/twilio/status']) {
      expect((await post(victim.path, forged, sign(url, forged))).status).toBe(403);
    }
    const otherHost = twilioSignature(TWILIO_TOKEN, `https://evil.example${victim.path}`, forged);
    expect((await post(victim.path, forged, otherHost)).status).toBe(403);
    // A genuine "sent" callback captured, replayed with the status changed after signing.
    const sent = callback(victim, 'sent');
    const sentSig = sign(victim.path, sent);
    expect((await post(victim.path, sent, sentSig)).status).toBe(200);
    expect((await post(victim.path, forged, sentSig)).status).toBe(403);
    const polluted = new URLSearchParams(sent);
    polluted.append('ErrorCode', '63003');
    polluted.set('MessageStatus', 'undelivered');
    expect((await post(victim.path, polluted, sentSig)).status).toBe(403);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:sent']);
  });

  it("another verification's genuine signed failure cannot be re-targeted at the victim", async () => {
    const { verifier, victim, other, callback, sign, post } = await setup();
    const requests = fake.requests.length;
    const theirs = callback(other, 'undelivered', '63003');
    const theirSig = sign(other.path, theirs);
    // Its ref swapped for the victim's (URL), its MessageSid or To swapped: all signed over.
    expect((await post(victim.path, theirs, theirSig)).status).toBe(403);
    const retargeted = { ...theirs, MessageSid: victim.sid, SmsSid: victim.sid, To: victim.to };
    expect((await post(other.path, retargeted, theirSig)).status).toBe(403);
    expect((await post(victim.path, retargeted, theirSig)).status).toBe(403);
    expect(fake.requests.length).toBe(requests);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:queued']);
    // Replayed exactly, it acts on its own verification only (and only once).
    const r = await post(other.path, theirs, theirSig);
    expect(r).toEqual({ status: 200, body: { changed: true, fallback: true } });
    expect((await post(other.path, theirs, theirSig)).body).toEqual({
      changed: false,
      fallback: false,
    });
    expect(await states(verifier, other.id)).toEqual(['whatsapp:failed', 'sms:queued']);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:queued']);
  });

  it('the genuine signed 63003 failure falls back to SMS (the forgeries differ only in signature)', async () => {
    const { verifier, victim, callback, sign, post } = await setup();
    const genuine = callback(victim, 'undelivered', '63003');
    const requests = fake.requests.length;
    const r = await post(victim.path, genuine, sign(victim.path, genuine));
    expect(r).toEqual({ status: 200, body: { changed: true, fallback: true } });
    expect(fake.requests.length).toBe(requests + 1);
    expect(fake.fields(requests).get('To')).toEqual([VICTIM]);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:failed', 'sms:queued']);
  });
});

describe.each(FRAMEWORKS)('%s: forged Vonage Messages API statuses', (_name, serve) => {
  let fake: VonageFake;
  beforeEach(async () => {
    fake = await startVonageFake({
      apiKey: VONAGE_KEY,
      apiSecret: VONAGE_API_SECRET,
      whatsappNumber: VONAGE_WA,
      whatsappTemplates: ['verification_code/en'],
    });
    closers.push(() => fake.close());
  });

  async function setup() {
    const verifier = createVerifier({
      secret: 'forged-vonage-status-secret-0123456789!!',
      store: memoryStore(),
      sender: vonageSender({
        apiKey: VONAGE_KEY,
        apiSecret: VONAGE_API_SECRET,
        from: 'Acme',
        baseUrl: fake.url,
        retry: false,
        whatsapp: {
          from: `+${VONAGE_WA}`,
          templates: { en: { name: 'verification_code', language: 'en' } },
          baseUrl: fake.url,
        },
      }),
      abuse: false,
    });
    // The route as docs/providers/whatsapp.md shows it: verified and parsed in one call, from
    // the raw body (the status is read from the signed bytes, never from a parsed body).
    const readStatus = vonageStatusWebhook({ signatureSecret: VONAGE_SIGNATURE_SECRET });
    const served = await serve('/hooks/vonage/status', async (req) => {
      const report = readStatus({ headers: req.headers, rawBody: req.raw });
      if (report.isErr()) {
        const unsigned = report.error.code === 'signature_invalid';
        return { status: unsigned ? 401 : 400, body: report.error.code };
      }
      return applied(verifier, report.value);
    });
    closers.push(() => served.close());

    const begin = async (phone: string) => {
      const id = (await verifier.start({ phone, channel: 'whatsapp' }))._unsafeUnwrap().id;
      const sent = fake.requests.length - 1;
      const ref = (JSON.parse(fake.requests[sent]!.body) as { client_ref: string }).client_ref;
      const uuid = (fake.replies[sent]!.body as { message_uuid: string }).message_uuid;
      return { id, ref, uuid, to: phone.slice(1) };
    };
    const victim = await begin(VICTIM);
    const other = await begin(OTHER);
    const status = (v: typeof victim, word: string) =>
      JSON.stringify({
        message_uuid: v.uuid,
        to: v.to,
        from: VONAGE_WA,
        timestamp: new Date().toISOString(),
        status: word,
        channel: 'whatsapp',
        client_ref: v.ref,
        ...(word === 'rejected'
          ? {
              error: {
                type: 'https://developer.vonage.com/api-errors/messages#1300',
                title: '1300',
                detail: 'Not a WhatsApp user',
              },
            }
          : {}),
      });
    const nowS = () => Math.floor(Date.now() / 1000);
    const hashOf = (body: string) => createHash('sha256').update(body).digest('hex');
    /** A token as Vonage signs one (jose, independent of the code under test). */
    const jwt = (body: string, o: { secret?: string; iat?: number; exp?: number } = {}) => {
      const t = new SignJWT({
        iss: 'Vonage',
        jti: randomUUID(),
        api_key: VONAGE_KEY,
        application_id: randomUUID(),
        payload_hash: hashOf(body),
        ...(o.exp !== undefined ? { exp: o.exp } : {}),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(o.iat ?? nowS());
      return t.sign(new TextEncoder().encode(o.secret ?? VONAGE_SIGNATURE_SECRET));
    };
    const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
    /** A token assembled by hand: any header, any claims, any signing. */
    const handmade = (header: object, claims: object, sign: (input: string) => string) => {
      const input = `${b64(header)}.${b64(claims)}`;
      return `${input}.${sign(input)}`;
    };
    const post = async (body: string, token?: string, type = 'application/json') => {
      const r = await fetch(`${served.origin}/hooks/vonage/status`, {
        method: 'POST',
        body,
        headers: {
          'content-type': type,
          ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
        },
      });
      return { status: r.status, body: (await r.json().catch(() => undefined)) as unknown };
    };
    return { verifier, victim, other, status, jwt, handmade, hashOf, nowS, post };
  }

  it('no token, a wrong secret, alg none and other algorithms: 401, nothing changes', async () => {
    const { verifier, victim, status, jwt, handmade, hashOf, nowS, post } = await setup();
    const forged = status(victim, 'rejected');
    const claims = { iat: nowS(), jti: randomUUID(), payload_hash: hashOf(forged) };
    const hmac = (alg: string, secret: string) => (input: string) =>
      createHmac(alg, secret).update(input).digest('base64url');
    expect((await post(forged)).status).toBe(401);
    expect((await post(forged, '')).status).toBe(401);
    expect((await post(forged, await jwt(forged, { secret: 'not-the-secret' }))).status).toBe(401);
    expect(
      (
        await post(
          forged,
          handmade({ alg: 'none' }, claims, () => ''),
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await post(
          forged,
          handmade({ alg: 'none' }, claims, () => 'AAAA'),
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await post(
          forged,
          handmade({ alg: 'None', typ: 'JWT' }, claims, () => 'x'),
        )
      ).status,
    ).toBe(401);
    // The right secret under an algorithm the webhook does not use, or a header without one.
    const sha512 = handmade({ alg: 'HS512' }, claims, hmac('sha512', VONAGE_SIGNATURE_SECRET));
    expect((await post(forged, sha512)).status).toBe(401);
    const noAlg = handmade({ typ: 'JWT' }, claims, hmac('sha256', VONAGE_SIGNATURE_SECRET));
    expect((await post(forged, noAlg)).status).toBe(401);
    // The control: the same hand-made token, HS256 in its header, is accepted.
    const right = handmade({ alg: 'HS256' }, claims, hmac('sha256', VONAGE_SIGNATURE_SECRET));
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:queued']);
    expect((await post(forged, right)).status).toBe(200);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:failed']);
  });

  it('expired, future, missing iat or past exp: 401', async () => {
    const { verifier, victim, status, jwt, handmade, hashOf, nowS, post } = await setup();
    const forged = status(victim, 'rejected');
    expect((await post(forged, await jwt(forged, { iat: nowS() - 6 * 60 }))).status).toBe(401);
    expect((await post(forged, await jwt(forged, { iat: nowS() + 6 * 60 }))).status).toBe(401);
    expect((await post(forged, await jwt(forged, { exp: nowS() - 1 }))).status).toBe(401);
    const noIat = handmade({ alg: 'HS256' }, { payload_hash: hashOf(forged) }, (input) =>
      createHmac('sha256', VONAGE_SIGNATURE_SECRET).update(input).digest('base64url'),
    );
    expect((await post(forged, noIat)).status).toBe(401);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:queued']);
  });

  it('a genuine token over another body: hash missing or for another body, status changed, body swapped or re-targeted', async () => {
    const { verifier, victim, other, status, jwt, handmade, nowS, post } = await setup();
    const forged = status(victim, 'rejected');
    const noHash = handmade({ alg: 'HS256' }, { iat: nowS() }, (input) =>
      createHmac('sha256', VONAGE_SIGNATURE_SECRET).update(input).digest('base64url'),
    );
    expect((await post(forged, noHash)).status).toBe(401);
    // A captured genuine "delivered" for the victim, its status changed after signing.
    const delivered = status(victim, 'delivered');
    const deliveredToken = await jwt(delivered);
    expect((await post(forged, deliveredToken)).status).toBe(401);
    expect((await post(`${delivered} `, deliveredToken)).status).toBe(401);
    // Another verification's genuine signed failure: sent with the victim's body, or with its
    // client_ref (or message_uuid) edited to the victim's.
    const theirs = status(other, 'rejected');
    const theirToken = await jwt(theirs);
    expect((await post(forged, theirToken)).status).toBe(401);
    const retargeted = theirs.replace(other.ref, victim.ref).replace(other.uuid, victim.uuid);
    expect(retargeted).not.toBe(theirs);
    expect((await post(retargeted, theirToken)).status).toBe(401);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:queued']);
    // Replayed as it was signed, it acts on its own verification only (once).
    expect(await post(theirs, theirToken)).toEqual({
      status: 200,
      body: { changed: true, fallback: false },
    });
    expect((await post(theirs, theirToken)).body).toEqual({ changed: false, fallback: false });
    expect(await states(verifier, other.id)).toEqual(['whatsapp:failed']);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:queued']);
    // The genuine token over its own body is applied (the control).
    expect((await post(delivered, deliveredToken)).status).toBe(200);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:delivered']);
  });

  it('a genuine signed status re-sent under another content type (form, text): 401', async () => {
    const { verifier, victim, status, jwt, post } = await setup();
    const genuine = status(victim, 'rejected');
    const token = await jwt(genuine);
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data']) {
      expect((await post(genuine, token, type)).status).toBe(401);
    }
    // A form-shaped body under a token for its bytes is not a status Vonage signs either.
    const form = new URLSearchParams(JSON.parse(genuine) as Record<string, string>).toString();
    expect((await post(form, await jwt(form), 'application/x-www-form-urlencoded')).status).toBe(
      401,
    );
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:queued']);
    // The control: the same bytes and token as JSON.
    expect((await post(genuine, token)).status).toBe(200);
    expect(await states(verifier, victim.id)).toEqual(['whatsapp:failed']);
  });
});
