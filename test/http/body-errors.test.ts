/**
 * A body the framework itself refuses (not JSON, too large, another media type) is answered
 * as a refusal of the route it was sent to: `mapResponse` is told that route's operation.
 * Express once named every POST route it did not recognise by its path `start`, so a bad
 * body on `/totp/verify` or `/totp/recover` reached `mapResponse` as `start`.
 * Over real sockets, on every framework of the registry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from '../registry';
import { call, makeKit } from './kit';
import type { Running } from './servers';

/** Every route that reads a body, with a path that reaches it. */
const BODY_ROUTES = [
  ['start', '/verifications'],
  ['check', '/verifications/some-id/check'],
  ['resend', '/verifications/some-id/resend'],
  ['totp_verify', '/totp/verify'],
  ['totp_recover', '/totp/recover'],
] as const;

const BAD_BODIES = [
  ['not JSON', 400, 'invalid_request', { 'content-type': 'application/json' }, '{"id":'],
  ['too large', 413, 'payload_too_large', { 'content-type': 'application/json' }, 'x'.repeat(400)],
  ['not JSON at all', 415, 'unsupported_media_type', { 'content-type': 'text/plain' }, 'hello'],
] as const;

describe.each(FRAMEWORKS)('%s: a bad body is refused as its own route', (_name, mount) => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it.each(BODY_ROUTES)('%s (%s)', async (operation, path) => {
    const kit = makeKit();
    const seen: string[] = [];
    running = await mount(kit.verifier, {
      now: kit.now,
      bodyLimit: 256,
      mapResponse: (response, info) => {
        seen.push(info.operation);
        return response;
      },
    });
    for (const [, status, code, headers, body] of BAD_BODIES) {
      const r = await call(running.base + path, { method: 'POST', headers, body });
      expect({ status: r.status, code: r.json?.error?.code }).toEqual({ status, code });
    }
    expect(seen).toEqual(BAD_BODIES.map(() => operation));
    expect(running.appErrors).toEqual([]);
  });
});

describe.each(FRAMEWORKS)('%s: a path that does not decode', (_name, mount) => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  // Fastify answers an undecodable URL itself, before routing (its own body; an app changes
  // that with Fastify's `frameworkErrors` option): only the adapter's own answers are checked.
  it('is a 400; when the adapter answers, a refusal of the route it names', async () => {
    const kit = makeKit();
    const seen: string[] = [];
    running = await mount(kit.verifier, {
      now: kit.now,
      mapResponse: (response, info) => {
        seen.push(info.operation);
        return response;
      },
    });
    const check = await call(`${running.base}/verifications/%E0%A4%A/check`, {
      method: 'POST',
      json: { code: '123456' },
    });
    const status = await call(`${running.base}/verifications/%E0%A4%A`);
    expect([check.status, status.status]).toEqual([400, 400]);
    const answered = (
      [
        [check, 'check'],
        [status, 'status'],
      ] as const
    ).filter(([r]) => typeof r.json?.error?.code === 'string');
    expect(seen).toEqual(answered.map(([, operation]) => operation));
  });
});
