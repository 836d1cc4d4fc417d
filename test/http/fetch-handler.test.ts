/**
 * What only the Web-standard handler has (the shared suites cover the rest through
 * test/http/fetch-server.ts): an endless body stream is cut at `bodyLimit` (never
 * buffered whole), `basePath` matches whole segments, HEAD has no body, and bad options
 * are refused at construction.
 */
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../adapters/fetch/index';
import { makeKit } from './kit';

const ip = { clientIp: () => '198.51.100.23' };

/** A body stream that never ends, counting the bytes it handed out. */
function endless(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const chunk = new TextEncoder().encode(`{"phone":"${'1'.repeat(1000)}`);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe('fetch handler', () => {
  it('an endless body without Content-Length is 413 once it passes bodyLimit', async () => {
    const kit = makeKit();
    const handler = createHandler(kit.verifier, { ...ip, bodyLimit: 4096 });
    const { stream, pulled } = endless();
    const r = await handler(
      new Request('http://x/verifications', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(pulled()).toBeLessThan(4096 + 4 * 1024);
    expect(kit.outbox.messages).toHaveLength(0);
  });

  it('basePath matches whole segments, any case, with or without a trailing slash', async () => {
    const kit = makeKit();
    const handler = createHandler(kit.verifier, { ...ip, basePath: '/verify/' });
    const get = (path: string) => handler(new Request(`http://x${path}`));
    expect((await get('/verify/verifications/nope')).status).toBe(404);
    expect(
      ((await (await get('/verify/verifications/nope')).json()) as { error: { code: string } })
        .error.code,
    ).toBe('not_found');
    expect((await get('/verifyx/verifications/nope')).status).toBe(404);
    expect((await get('/verifications/nope')).status).toBe(404);
    const start = await handler(
      new Request('http://x/VERIFY/verifications', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone: '+12133734253' }),
      }),
    );
    expect(start.status).toBe(201);
    const { id } = (await start.json()) as { id: string };
    const head = await handler(
      new Request(`http://x/verify/verifications/${id}`, { method: 'HEAD' }),
    );
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const put = await handler(
      new Request(`http://x/verify/verifications/${id}`, { method: 'PUT' }),
    );
    expect(put.status).toBe(404);
  });

  it('bad basePath is refused at construction', () => {
    const kit = makeKit();
    for (const basePath of ['verify', '/verify?x=1', 42]) {
      expect(() => createHandler(kit.verifier, { ...ip, basePath: basePath as string })).toThrow(
        /basePath/,
      );
    }
  });
});
