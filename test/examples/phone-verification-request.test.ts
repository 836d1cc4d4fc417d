/**
 * `POST /phoneverification/request/{FullPhoneNumber}/{Path}` (reference page 002) reproduced
 * by examples/phone-verification-request: roles, the signed request (system id, timestamp,
 * signature; replay and skew refused), device id and OS, and the result shape.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPhoneVerificationApp,
  demoSystems,
} from '../../examples/phone-verification-request/app';
import { signPhoneVerificationRequest } from '../../examples/phone-verification-request/request';
import type { VerifierEvent } from '../../src/index';
import { consoleLines, fakeClock, fixture } from './support';

interface Sample {
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const APP_TOKEN = { authorization: 'Bearer demo-mobile-app-token' };
const CALLER = { systemId: 'mobile-app', secret: demoSystems['mobile-app'] };
const TARGET = '/phoneverification/request/+12133734253/signup';

async function setup() {
  const time = fakeClock();
  const out = consoleLines();
  const events: VerifierEvent[] = [];
  const built = createPhoneVerificationApp({
    now: time.now,
    write: out.write,
    onEvent: (e) => void events.push(e),
  });
  const base = await built.app.listen({ port: 0, host: '127.0.0.1' });
  close = () => built.app.close();
  const sample = await fixture<Sample>('phone-verification-request.json');
  const post = async (
    target: string,
    body: unknown,
    headers: Record<string, string> = APP_TOKEN,
  ) => {
    const res = await fetch(base + target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const signed = (fields: Record<string, string> = {}, target = TARGET, nowMs = time.now()) =>
    signPhoneVerificationRequest(
      target,
      { deviceId: 'device-7f3a', os: 'iOS 17.4', ...fields },
      { ...CALLER, nowMs },
    );
  return { ...built, time, out, events, sample, post, signed };
}

describe('examples/phone-verification-request', () => {
  it('answers the documented sample, verbatim, in the PhoneVerificationRequestResult shape', async () => {
    const t = await setup();
    const r = await t.post('/phoneverification/request', t.sample.request);
    expect(r.status).toBe(400);
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(t.sample.response).sort());
    // The sample sends a systemSecret: refused, the secret must never travel.
    expect(r.body).toEqual({
      token: null,
      sentSuccess: false,
      statusCode: 400,
      statusMessage: 'Do not send systemSecret: sign the request with it instead.',
    });
    expect(t.out.lines).toEqual([]);
  });

  it('sends a code for a signed request from an allowed role, with device id and OS as context', async () => {
    const t = await setup();
    const r = await t.post(TARGET, t.signed());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{70}$/),
      sentSuccess: true,
      statusCode: 200,
      statusMessage: 'Code sent to +1 ••• ••• ••53.',
    });
    const started = t.events.find((e) => e.type === 'verification.started');
    expect(started).toMatchObject({
      purpose: 'signup',
      context: { deviceId: 'device-7f3a', os: 'iOS 17.4', system: 'mobile-app' },
    });

    const code = t.out.lastCode();
    const verified = await t.post('/phoneverification/verify', { token: r.body.token, code });
    expect(verified.body).toMatchObject({ verified: true, statusCode: 200 });
    const proof = await t.verifier.verifyProof(verified.body.proof as string, {
      purpose: 'signup',
      phone: '+12133734253',
    });
    expect(proof.isOk()).toBe(true);
  });

  it('takes the number and path from the body on the bare route', async () => {
    const t = await setup();
    const body = t.signed(
      { fullPhoneNumber: '+12133734253', path: 'login' },
      '/phoneverification/request',
    );
    const r = await t.post('/phoneverification/request', body);
    expect(r.body).toMatchObject({ sentSuccess: true, statusCode: 200 });
    expect(t.events.find((e) => e.type === 'verification.started')?.purpose).toBe('login');
  });

  it('requires authentication and one of the roles with ReadData', async () => {
    const t = await setup();
    const none = await t.post(TARGET, t.signed(), {});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ sentSuccess: false, statusCode: 401 });
    const reporting = await t.post(TARGET, t.signed(), {
      authorization: 'Bearer demo-reporting-token',
    });
    expect(reporting.status).toBe(403);
    expect(reporting.body.statusMessage).toContain('Admin, TeamAdmin, MobileApp');
    expect(t.out.lines).toEqual([]);
  });

  it('refuses a replayed, stale, tampered or unknown-system signature', async () => {
    const t = await setup();
    const body = t.signed();
    expect((await t.post(TARGET, body)).status).toBe(200);
    const replay = await t.post(TARGET, body);
    expect(replay.status).toBe(401);
    expect(replay.body.statusMessage).toContain('already received');

    const stale = await t.post(TARGET, t.signed({}, TARGET, t.time.now() - 10 * 60_000));
    expect(stale.status).toBe(401);
    expect(stale.body.statusMessage).toContain('window');

    const tampered = { ...t.signed(), deviceId: 'another-device' };
    expect((await t.post(TARGET, tampered)).status).toBe(401);

    const otherTarget = await t.post('/phoneverification/request/+12133734254/signup', t.signed());
    expect(otherTarget.status).toBe(401);

    const unknown = t.signed();
    const forged = { ...unknown, signature: { ...unknown.signature, systemId: 'crm' } };
    expect((await t.post(TARGET, forged)).body.statusMessage).toBe('Unknown system.');
    expect(t.out.lines).toHaveLength(1);
  });
});
