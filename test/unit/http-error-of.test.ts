/**
 * `httpErrorOf`, the exported client-safe answer to a failure: the catalog's status (429 and
 * 503 stay what they are), `Retry-After` when waiting helps, and never the `cause`.
 */
import type { ResultAsync } from 'neverthrow';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import {
  type CheckResult,
  createVerifier,
  errorCodes,
  httpErrorOf,
  httpStatus,
  type VerifiedProof,
  verifyError,
} from '../../src/index';
import type { VerifiedPhoneProof } from '../../src/proof/types';
import { consoleSender } from '../../src/senders/console';

const SECRET = 'x'.repeat(40);
type OkOf<R> = R extends ResultAsync<infer T, unknown> ? T : never;

describe('httpErrorOf', () => {
  it('never sends the cause, for any code, and keeps the catalog status', () => {
    for (const code of errorCodes) {
      const cause = { code: 'ERR_JWS_INVALID', secret: 'driver said +12133734253' };
      const r = httpErrorOf(verifyError(code, { cause, retryAfter: 3, attemptsLeft: 1 }));
      expect(r.status).toBe(httpStatus(code));
      const wire = JSON.stringify(r.body);
      expect(wire).not.toContain('cause');
      expect(wire).not.toContain('ERR_JWS_INVALID');
      expect(wire).not.toContain('12133734253');
      expect(r.headers['retry-after']).toBe('3');
      expect(r.body.error.code).toBe(code);
    }
  });

  it('keeps 429 and 503 (with Retry-After), not a blanket 400', () => {
    expect(httpErrorOf(verifyError('rate_limited', { retryAfter: 30 }))).toMatchObject({
      status: 429,
      headers: { 'retry-after': '30' },
    });
    const down = httpErrorOf(
      verifyError('store_unavailable', { cause: new Error('ECONNREFUSED 10.0.0.5:5432') }),
    );
    expect(down.status).toBe(503);
    expect(JSON.stringify(down)).not.toContain('ECONNREFUSED');
    expect(down.headers).toEqual({});
  });

  it('answers anything else (a thrown exception) with a 500 that says nothing about it', () => {
    for (const thrown of [new Error('password=hunter2'), { code: 'ECONNRESET' }, 'boom', null]) {
      const r = httpErrorOf(thrown);
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ error: { code: 'internal_error', message: 'Internal error.' } });
      expect(JSON.stringify(r)).not.toMatch(/hunter2|ECONNRESET|boom/);
    }
  });
});

describe('types the docs rely on', () => {
  it('check approvals carry `proof: string` when proofs are on, none with proof: false', () => {
    const on = createVerifier({ secret: SECRET, store: memoryStore(), sender: consoleSender() });
    const off = createVerifier({
      secret: SECRET,
      store: memoryStore(),
      sender: consoleSender(),
      proof: false,
    });
    expectTypeOf<OkOf<ReturnType<typeof on.check>>['proof']>().toEqualTypeOf<string>();
    expectTypeOf<OkOf<ReturnType<typeof off.check>>['proof']>().toEqualTypeOf<undefined>();
    expectTypeOf<CheckResult['proof']>().toEqualTypeOf<string | undefined>();
  });

  it('verifyProof with a phone binding resolves to a phone proof; the union narrows on kind', () => {
    const v = createVerifier({ secret: SECRET, store: memoryStore(), sender: consoleSender() });
    const bound = v.verifyProof('t', { purpose: 'signup', phone: '+12133734253' });
    expectTypeOf<OkOf<typeof bound>>().toEqualTypeOf<VerifiedPhoneProof>();
    const any = v.verifyProof('t', { purpose: 'signup' });
    expectTypeOf<OkOf<typeof any>>().toEqualTypeOf<VerifiedProof>();
    expectTypeOf<VerifiedPhoneProof['phone']>().toEqualTypeOf<string>();
    const narrow = (p: VerifiedProof) => (p.kind === 'phone' ? p.phone : p.subject);
    expectTypeOf(narrow).returns.toEqualTypeOf<string>();
  });

  it('RequestContext fields accept undefined (context: { ip: req.ip })', () => {
    const ip: string | undefined = undefined;
    const v = createVerifier({ secret: SECRET, store: memoryStore(), sender: consoleSender() });
    const call = () => v.status({ id: 'x', context: { ip, userAgent: undefined } });
    expectTypeOf(call).toBeFunction();
  });
});
