/**
 * The runtime conformance check: one body, run unchanged by every runtime (Node 20, 22 and
 * 24, Bun, Deno, workerd), against the BUILT package imported by name as a user imports it
 * (`phoneproof`, `phoneproof/fetch`, `phoneproof/memory`, `phoneproof/testing`: the
 * package's `exports` resolve them to `dist/`; run `npm run build` first).
 *
 * Every request goes through the `phoneproof/fetch` handler on the memory store, in
 * process: start (refused without consent, then with it), status, a resend refused then
 * allowed, a wrong then the right code, the proof token verified (and refused for another
 * purpose, once used, once expired), consent recorded and read (opt-in with start, STOP on the
 * inbound webhook, the refusal that follows, the ledger's history), the body limits (bad
 * JSON, a foreign media type, an oversized body: each runtime's own request streams), HEAD,
 * 404 and cancel. Every response's status, headers that matter and whole body are asserted.
 * The code comes from the outbox sender, time from a test clock: no provider, no waiting.
 *
 * Plain JavaScript with Web APIs only, so no runtime needs a transpiler or `node:*`. The
 * launchers are `scripts/conformance-run.mjs` (Node, Bun, Deno) and
 * `scripts/conformance-workerd.mjs` (workerd through Miniflare); `npm run conformance` runs
 * all six.
 * @module
 */
import { createVerifier } from 'phoneproof';
import { consent } from 'phoneproof/consent';
import { createHandler } from 'phoneproof/fetch';
import { memoryConsentLedger, memoryStore } from 'phoneproof/memory';
import { outboxSender, TEST_CLOCK_START, testClock } from 'phoneproof/testing';
import { ID, JWT, match, refusal, settled, TEXT } from './conformance-match.mjs';

const PHONE = '+12133734253';
const MASKED = '+1 ••• ••• ••53';
const OTHER = '+12133734254';
const IP = '203.0.113.7';
const CONSENT = { text: 'I agree to receive one-time codes by SMS from Example.', version: 3 };
const BASE = 'http://conformance.test/verify';
const T0 = TEST_CLOCK_START;
const JSON_TYPE = 'application/json; charset=utf-8';

function setup() {
  const clock = testClock();
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: 'conformance-secret-conformance-secret!',
    store: memoryStore({ now: clock.now }),
    sender: outbox,
    now: clock.now,
    appName: 'Example',
    consent: consent({ ledger: memoryConsentLedger(), required: CONSENT }),
  });
  const handler = createHandler(verifier, {
    basePath: '/verify',
    clientIp: (request) => request.headers.get('x-conformance-ip') ?? IP,
    inbound: { unsafe: 'unauthenticated' },
  });
  const steps = [];
  return {
    clock,
    outbox,
    verifier,
    handler,
    steps,
    /** One request through the handler; asserts its status, body and the headers named. */
    async call(step, { method = 'POST', path, body, raw, type, headers = {} }, want) {
      const init = { method, headers: { ...headers } };
      if (body !== undefined || raw !== undefined) {
        init.body = raw ?? JSON.stringify(body);
        init.headers['content-type'] = type ?? 'application/json';
      }
      const res = await handler(new Request(`${BASE}${path}`, init));
      const text = await res.text();
      if (res.status !== want.status) {
        throw new Error(`${step}: status ${res.status}, want ${want.status}; body ${text}`);
      }
      match(res.headers.get('content-type'), JSON_TYPE, `${step} content-type`);
      for (const [name, value] of Object.entries(want.headers ?? {})) {
        match(res.headers.get(name), value, `${step} header ${name}`);
      }
      const json = text === '' ? undefined : JSON.parse(text);
      match(json, want.body, `${step} body`);
      steps.push(`${step} ${res.status}`);
      return json;
    },
    /** A call of the verifier's own API; asserts its result. */
    async api(step, resultAsync, want) {
      match(await settled(resultAsync), want, step);
      steps.push(`${step} ${'ok' in want ? 'ok' : want.err.code}`);
    },
  };
}

/** A started verification's body at `at` (start, resend, and status's common part). */
const pending = (at, sendsLeft, resendIn, to = MASKED) => ({
  id: ID,
  status: 'pending',
  to,
  channel: 'sms',
  purpose: 'verify',
  expiresAt: at + 600_000,
  expiresIn: 600,
  resendAvailableAt: at + resendIn * 1000,
  resendIn,
  sendsLeft,
});

const approvedBody = (id, at) => ({
  status: 'approved',
  id,
  to: MASKED,
  purpose: 'verify',
  verifiedAt: at,
  proof: JWT,
});

/** Start (refused without the required consent, then with it), status, resend. */
async function startAndResend(t) {
  await t.call(
    'start without consent',
    { path: '/verifications', body: { phone: PHONE } },
    {
      status: 403,
      body: refusal('consent_required'),
    },
  );
  match(t.outbox.messages.length, 0, 'outbox after a refused start');
  await t.api('consent before', t.verifier.consent.status({ phone: PHONE }), {
    ok: { state: 'none' },
  });
  const { id } = await t.call(
    'start with consent',
    { path: '/verifications', body: { phone: PHONE, consent: CONSENT } },
    { status: 201, body: pending(T0, 4, 30) },
  );
  match(t.outbox.last(PHONE)?.code, (v) => /^\d{6}$/.test(v), 'first code');
  await t.api('consent recorded', t.verifier.consent.status({ phone: PHONE }), {
    ok: { state: 'opted_in', version: '3', at: T0 },
  });
  await t.call(
    'status',
    { method: 'GET', path: `/verifications/${id}` },
    {
      status: 200,
      body: { ...pending(T0, 4, 30), id, attemptsLeft: 5, createdAt: T0 },
    },
  );
  // The resend: refused inside the cooldown, sent after it (the next cooldown doubles).
  await t.call(
    'resend too soon',
    { path: `/verifications/${id}/resend` },
    {
      status: 429,
      headers: { 'retry-after': '30' },
      body: refusal('resend_too_soon', { retryAfter: 30, scope: 'phone' }),
    },
  );
  const t1 = t.clock.advance(30_000);
  await t.call(
    'resend',
    { path: `/verifications/${id}/resend` },
    {
      status: 200,
      body: { ...pending(t1, 3, 60), id },
    },
  );
  match(t.outbox.messages.length, 2, 'outbox after resend');
  return { id, t1 };
}

/** A wrong code, then the right one (approved, with a proof token); the proof verified. */
async function checkAndProof(t, { id, t1 }) {
  const code = t.outbox.last(PHONE).code;
  const wrong = `${code.slice(0, 5)}${(Number(code[5]) + 1) % 10}`;
  const checkPath = `/verifications/${id}/check`;
  await t.call(
    'check wrong code',
    { path: checkPath, body: { code: wrong } },
    {
      status: 400,
      body: refusal('code_mismatch', { attemptsLeft: 4 }),
    },
  );
  const { proof } = await t.call(
    'check right code',
    { path: checkPath, body: { code } },
    {
      status: 200,
      body: approvedBody(id, t1),
    },
  );
  await t.call(
    'check again',
    { path: checkPath, body: { code } },
    {
      status: 404,
      body: refusal('not_found'),
    },
  );
  await t.call(
    'status after approval',
    { method: 'GET', path: `/verifications/${id}` },
    {
      status: 200,
      body: { ...pending(t1, 0, 60), id, status: 'approved', attemptsLeft: 0, createdAt: T0 },
    },
  );
  const verify = (options) => t.verifier.verifyProof(proof, options);
  await t.api('proof for another purpose', verify({ purpose: 'login' }), {
    err: { code: 'proof_invalid' },
  });
  await t.api('proof for another number', verify({ purpose: 'verify', phone: OTHER }), {
    err: { code: 'proof_invalid' },
  });
  await t.api('proof verified', verify({ purpose: 'verify', phone: PHONE, singleUse: true }), {
    ok: {
      kind: 'phone',
      phone: PHONE,
      purpose: 'verify',
      verificationId: id,
      method: 'phone',
      verifiedAt: t1,
      issuedAt: t1,
      expiresAt: t1 + 300_000,
      tokenId: TEXT,
    },
  });
  await t.api('proof used twice', verify({ purpose: 'verify', singleUse: true }), {
    err: { code: 'proof_used' },
  });
  t.clock.advance(300_001);
  await t.api('proof expired', verify({ purpose: 'verify' }), { err: { code: 'proof_expired' } });
}

/**
 * Consent: STOP on the inbound webhook opts the number out; a start without consent is then
 * refused, and a consent given with start re-opts it in once its code is verified.
 */
async function consentSteps(t) {
  const t2 = t.clock.now();
  await t.call(
    'inbound STOP',
    { path: '/inbound-sms', body: { from: PHONE, text: 'STOP' } },
    {
      status: 200,
      body: { action: 'opted_out', reply: TEXT },
    },
  );
  const status = () => t.verifier.consent.status({ phone: PHONE });
  await t.api('consent read', status(), { ok: { state: 'opted_out', at: t2 } });
  await t.call(
    'start after STOP',
    { path: '/verifications', body: { phone: PHONE } },
    {
      status: 403,
      body: refusal('consent_required'),
    },
  );
  const again = await t.call(
    'start with fresh consent',
    { path: '/verifications', body: { phone: PHONE, consent: CONSENT } },
    { status: 201, body: pending(t2, 4, 30) },
  );
  await t.api('consent held', status(), { ok: { state: 'opted_out', at: t2 } });
  const code = t.outbox.last(PHONE).code;
  await t.call(
    'check re-opt-in code',
    { path: `/verifications/${again.id}/check`, body: { code } },
    { status: 200, body: approvedBody(again.id, t2) },
  );
  await t.api('consent re-opted in', status(), { ok: { state: 'opted_in', version: '3', at: t2 } });
  const history = await settled(t.verifier.consent.history({ phone: PHONE }));
  const entries = history.ok?.entries.map((e) => `${e.kind}@${e.at}`);
  match(entries, [`opted_in@${T0}`, `opted_out@${t2}`, `opted_in@${t2}`], 'consent history');
  const verdict = { valid: true, length: 3, head: { seq: 3, hash: TEXT } };
  match(history.ok?.verdict, verdict, 'consent history verdict');
  t.steps.push('consent history ok');
}

/** Bodies read from this runtime's request streams; HEAD, unknown routes, cancel. */
async function edges(t) {
  const headers = { 'x-conformance-ip': '203.0.113.8' }; // another requester
  const at = t.clock.now();
  const to = '+1 ••• ••• ••54';
  const { id } = await t.call(
    'start other',
    { path: '/verifications', body: { phone: OTHER, consent: CONSENT }, headers },
    { status: 201, body: pending(at, 4, 30, to) },
  );
  const path = `/verifications/${id}/check`;
  await t.call(
    'bad JSON',
    { path, raw: '{"code":', headers },
    {
      status: 400,
      body: refusal('invalid_request'),
    },
  );
  await t.call(
    'foreign media type',
    { path, raw: 'code=1', type: 'text/plain', headers },
    {
      status: 415,
      body: refusal('unsupported_media_type'),
    },
  );
  await t.call(
    'oversized body',
    { path, body: { code: 'x'.repeat(20_000) }, headers },
    {
      status: 413,
      body: refusal('payload_too_large'),
    },
  );
  const head = await t.handler(
    new Request(`${BASE}/verifications/${id}`, { method: 'HEAD', headers }),
  );
  match([head.status, await head.text()], [200, ''], 'HEAD');
  t.steps.push('HEAD 200');
  await t.call(
    'unknown route',
    { method: 'GET', path: '/nowhere' },
    {
      status: 404,
      body: refusal('not_found'),
    },
  );
  await t.call(
    'outside basePath',
    { method: 'GET', path: '/../verifications' },
    {
      status: 404,
      body: refusal('not_found'),
    },
  );
  await t.call(
    'cancel',
    { method: 'DELETE', path: `/verifications/${id}`, headers },
    {
      status: 200,
      body: { id, status: 'canceled' },
    },
  );
  await t.call(
    'status after cancel',
    { method: 'GET', path: `/verifications/${id}`, headers },
    {
      status: 200,
      body: {
        ...pending(at, 0, 30, to),
        id,
        status: 'canceled',
        attemptsLeft: 0,
        createdAt: at,
      },
    },
  );
}

/**
 * Runs the whole check; resolves to the steps passed (`name status`), rejects on the first
 * response that differs from what is asserted (the step and the difference in the message).
 */
export async function conformance() {
  const t = setup();
  const started = await startAndResend(t);
  await checkAndProof(t, started);
  await consentSteps(t);
  await edges(t);
  return t.steps;
}

/** The runtime this body runs on, for the launchers' report. */
export function runtimeName() {
  const g = globalThis;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (g.process?.versions?.node) return `Node ${g.process.versions.node}`;
  return g.navigator?.userAgent ?? 'unknown';
}
