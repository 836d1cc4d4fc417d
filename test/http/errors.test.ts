import { describe, expect, it } from 'vitest';
import { errorCatalog, errorCodes, httpStatus, verifyError } from '../../src/errors';
import { errorResponse, redactDigits } from '../../src/http/errors';
import { isJsonUtf8 } from '../../src/http/media';

describe('the one error-to-HTTP mapping', () => {
  it('maps every catalog code to its catalog status and the { error } body', () => {
    for (const code of errorCodes) {
      const r = errorResponse(verifyError(code));
      expect(r.status).toBe(httpStatus(code));
      expect(r.body).toEqual({ error: { code, message: errorCatalog[code].message } });
      expect(r.headers).toBeUndefined();
    }
  });

  it('sends Retry-After exactly when retryAfter is set (rounded up, at least 1)', () => {
    const r = errorResponse(verifyError('locked', { retryAfter: 12.2 }));
    expect(r.headers).toEqual({ 'retry-after': '13' });
    expect(r.body).toEqual({
      error: { code: 'locked', message: errorCatalog.locked.message, retryAfter: 13 },
    });
    expect(errorResponse(verifyError('resend_too_soon', { retryAfter: 0 })).headers).toEqual({
      'retry-after': '1',
    });
  });

  it('keeps attemptsLeft, drops cause and reason', () => {
    const r = errorResponse(
      verifyError('code_mismatch', { attemptsLeft: 2, cause: new Error('x') }),
    );
    expect(r.body).toEqual({
      error: {
        code: 'code_mismatch',
        message: errorCatalog.code_mismatch.message,
        attemptsLeft: 2,
      },
    });
  });

  it('names the scope of a limit refusal, with Retry-After', () => {
    const r = errorResponse(verifyError('rate_limited', { retryAfter: 60, scope: 'requester' }));
    expect(r.body).toEqual({
      error: {
        code: 'rate_limited',
        message: errorCatalog.rate_limited.message,
        retryAfter: 60,
        scope: 'requester',
      },
    });
    expect(r.headers).toMatchObject({ 'retry-after': '60' });
  });

  it('5xx bodies carry the catalog message, never the underlying text', () => {
    for (const code of ['delivery_failed', 'store_unavailable', 'store_corrupt'] as const) {
      const r = errorResponse(verifyError(code, { message: 'To +12133734253: provider said no' }));
      expect((r.body as { error: { message: string } }).error.message).toBe(
        errorCatalog[code].message,
      );
    }
  });

  it('redacts phone-like digit runs from 4xx messages', () => {
    const r = errorResponse(
      verifyError('invalid_request', { message: 'bad +1 (213) 373-4253 here' }),
    );
    expect(JSON.stringify(r.body)).not.toMatch(/373|4253/);
    expect(redactDigits('code 12345 ok')).toBe('code 12345 ok');
    expect(redactDigits('+12133734253')).toBe('•••');
  });

  it('an unknown code (not in the catalog) is a 500 internal_error', () => {
    const r = errorResponse({ code: 'made_up', message: 'secret detail' } as never);
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ error: { code: 'internal_error', message: 'Internal error.' } });
  });

  it('JSON bodies must be application/json in UTF-8', () => {
    expect(isJsonUtf8('application/json')).toBe(true);
    expect(isJsonUtf8('Application/JSON; charset=UTF-8')).toBe(true);
    expect(isJsonUtf8('application/json;charset="utf8"')).toBe(true);
    expect(isJsonUtf8('application/json; charset=utf-16')).toBe(false);
    expect(isJsonUtf8('application/jsonp')).toBe(false);
    expect(isJsonUtf8('text/plain')).toBe(false);
    expect(isJsonUtf8(undefined)).toBe(false);
  });
});
