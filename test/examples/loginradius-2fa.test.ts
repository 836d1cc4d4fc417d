/**
 * `PUT /identity/v2/auth/login/2fa/sms` (reference page 001) reproduced by
 * examples/loginradius-2fa: the documented curl request, second-factor token, template,
 * voice flag, prevent-webhook flag and error body.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLoginRadiusApp } from '../../examples/loginradius-2fa/app';
import type { VerifierEvent } from '../../src/index';
import { consoleLines, fakeClock, fixture } from './support';

interface Sample {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  response: Record<string, unknown>;
  errors: Record<string, unknown>[];
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const KEY = 'demo-tenant-api-key';

async function setup() {
  const time = fakeClock();
  const out = consoleLines();
  const events: VerifierEvent[] = [];
  const built = createLoginRadiusApp({
    now: time.now,
    write: out.write,
    onEvent: (e) => void events.push(e),
  });
  const base = await built.app.listen({ port: 0, host: '127.0.0.1' });
  close = () => built.app.close();
  const sample = await fixture<Sample>('loginradius-2fa.json');
  const call = async (
    method: string,
    pathAndQuery: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const h = new Headers({ 'content-type': 'application/json' });
    for (const [k, v] of Object.entries(headers)) h.set(k, v); // the sample names Content-Type too
    const res = await fetch(base + pathAndQuery, {
      method,
      headers: h,
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** The sample request's path and query, with some parameters set or replaced. */
  const sampleTarget = (set: Record<string, string>) => {
    const u = new URL(sample.url);
    for (const [k, v] of Object.entries(set)) u.searchParams.set(k, v);
    return u.pathname + u.search;
  };
  const login = async () => {
    const r = await call('POST', `/identity/v2/auth/login?apikey=${KEY}`, {
      username: 'john_doe',
      password: 'correct horse battery staple',
    });
    expect(r.status).toBe(200);
    const sf = r.body.SecondFactorAuthentication as Record<string, unknown>;
    return sf.SecondFactorAuthenticationToken as string;
  };
  return { ...built, time, out, events, sample, call, sampleTarget, login };
}

describe('examples/loginradius-2fa', () => {
  it('answers the documented curl request, verbatim, with the documented 908 error', async () => {
    const t = await setup();
    const u = new URL(t.sample.url);
    const r = await t.call('PUT', u.pathname + u.search, t.sample.body, t.sample.headers);
    expect(r.status).toBe(400);
    // The page's first error sample, exactly: the request carries no apikey.
    expect(r.body).toEqual(t.sample.errors[0]);
  });

  it('step 1 gives the second-factor token and masks the phone', async () => {
    const t = await setup();
    const r = await t.call('POST', `/identity/v2/auth/login?apikey=${KEY}`, {
      username: 'john_doe',
      password: 'correct horse battery staple',
    });
    expect(r.body.SecondFactorAuthentication).toMatchObject({
      SecondFactorAuthenticationToken: expect.stringMatching(/^[A-Za-z0-9_-]{70}$/),
      OTPPhoneNo: '+1 ••• ••• ••53',
      IsOTPSent: true,
    });
    expect(t.out.lines).toHaveLength(1);
    expect(t.out.lines[0]).toMatch(/^\[phoneproof\] sms to/);
    const wrongPassword = await t.call('POST', `/identity/v2/auth/login?apikey=${KEY}`, {
      username: 'john_doe',
      password: 'nope',
    });
    expect(wrongPassword.status).toBe(401);
    expect(Object.keys(wrongPassword.body).sort()).toEqual(['Description', 'ErrorCode', 'Message']);
  });

  it('the sample with a key and a real token sends the code again by voice, silently', async () => {
    const t = await setup();
    const token = await t.login();
    t.time.advance(31_000); // past the resend cooldown
    const before = t.events.length;
    const r = await t.call(
      'PUT',
      t.sampleTarget({ apikey: KEY, secondfactorauthenticationtoken: token }),
      t.sample.body,
      t.sample.headers,
    );
    expect(r.status).toBe(200);
    expect(r.body.SecondFactorAuthentication).toMatchObject({
      SecondFactorAuthenticationToken: token,
      OTPPhoneNo: '+1 ••• ••• ••53',
    });
    expect(t.out.lines.at(-1)).toMatch(/^\[phoneproof\] voice to/);
    expect(t.events.length).toBe(before); // prevent_webhook=true: nothing published
  });

  it('the SMS template named by smstemplate2fa words the message', async () => {
    const t = await setup();
    await t.call('POST', `/identity/v2/auth/login?apikey=${KEY}&smstemplate2fa=SMS-Template`, {
      username: 'john_doe',
      password: 'correct horse battery staple',
    });
    expect(t.out.lines[0]).toMatch(/: \d{6} is your Tenant sign-in code\./);
  });

  it('isvoiceotp=true reads the SMS content of smstemplate2fa by voice, the code digit by digit', async () => {
    const t = await setup();
    const login = await t.call(
      'POST',
      `/identity/v2/auth/login?apikey=${KEY}&smstemplate2fa=SMS-Template&isvoiceotp=true`,
      { username: 'john_doe', password: 'correct horse battery staple' },
    );
    expect(login.status).toBe(200);
    expect(t.out.lines[0]).toMatch(
      /^\[phoneproof\] voice to \+1 ••• ••• ••53: (\d\. ){5}\d\. is your Tenant sign-in code\. It expires in 10 minutes\./,
    );
    // The page's sample (isvoiceotp=true, smstemplate2fa=SMS-Template) sending again.
    const token = (login.body.SecondFactorAuthentication as Record<string, string>)
      .SecondFactorAuthenticationToken!;
    t.time.advance(31_000);
    const again = await t.call(
      'PUT',
      t.sampleTarget({ apikey: KEY, secondfactorauthenticationtoken: token }),
      t.sample.body,
      t.sample.headers,
    );
    expect(again.status).toBe(200);
    expect(t.out.lines.at(-1)).toMatch(
      /^\[phoneproof\] voice to .*: (\d\. ){5}\d\. is your Tenant sign-in code/,
    );
    // Without a template the built-in voice script is read.
    t.time.advance(61_000);
    await t.call(
      'PUT',
      `/identity/v2/auth/login/2fa/sms?apikey=${KEY}&secondfactorauthenticationtoken=${token}&isvoiceotp=true`,
      {},
    );
    expect(t.out.lines.at(-1)).toMatch(
      /^\[phoneproof\] voice to .*: Your Tenant verification code is:/,
    );
  });

  it('checks the otp: errors in the LoginRadius shape, then the Profile with a proof as access token', async () => {
    const t = await setup();
    const token = await t.login();
    const code = t.out.lastCode();
    const target = (extra: Record<string, string> = {}) =>
      t.sampleTarget({ apikey: KEY, secondfactorauthenticationtoken: token, ...extra });

    const before = t.events.length;
    const wrong = await t.call(
      'PUT',
      target(),
      { otp: code === '000000' ? '111111' : '000000' },
      t.sample.headers,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({
      ErrorCode: 9101,
      Message: 'The code is not correct.',
      Description: 'phoneproof: code_mismatch. Attempts left: 4.',
    });
    expect(t.events.length).toBe(before); // X-PreventWebhook + prevent_webhook

    const ok = await t.call(
      'PUT',
      target({ prevent_webhook: 'false' }),
      { otp: code },
      {
        'X-PreventWebhook': 'false',
      },
    );
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(Object.keys(t.sample.response).sort());
    // fields=Email,username from the sample limits the Profile.
    expect(ok.body.Profile).toEqual({
      UserName: 'john_doe',
      Email: [{ Type: 'Primary', Value: 'john.doe@example.com' }],
    });
    const proof = await t.verifier.verifyProof(ok.body.access_token as string, {
      purpose: 'login',
      phone: '+12133734253',
    });
    expect(proof.isOk()).toBe(true);
    expect(t.events.map((e) => e.type)).toContain('verification.approved');

    const again = await t.call('PUT', target(), { otp: code });
    expect(again.status).toBe(404);
    expect(again.body.ErrorCode).toBe(9103);
  });

  it('refuses a wrong API key and a missing token with LoginRadius codes', async () => {
    const t = await setup();
    const badKey = await t.call('PUT', t.sampleTarget({ apikey: 'nope' }), {});
    expect(badKey.status).toBe(401);
    expect(badKey.body.ErrorCode).toBe(901);
    const noToken = await t.call('PUT', `/identity/v2/auth/login/2fa/sms?apikey=${KEY}`, {});
    expect(noToken.body).toEqual({
      ErrorCode: 908,
      Message: 'A parameter is not formatted correctly',
      Description: 'The secondfactorauthenticationtoken is a required parameter.',
    });
  });
});
