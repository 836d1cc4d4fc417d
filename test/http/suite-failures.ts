/**
 * The shared HTTP suite, part 4: the ports failing. An unreachable store is 503 (fail
 * closed, nothing sent); a provider failure is 502 without the provider's text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import type { Store } from '../../src/ports/store';
import { keyring, phoneKey } from '../../src/secrets';
import { outboxSender } from '../../src/senders/outbox';
import { newVerificationId } from '../../src/verifier/ids';
import { call, expectError, makeKit, PHONE, PHONE2, SECRET } from './kit';
import type { Mount, Running } from './servers';

export function failureSuite(name: string, mount: Mount): void {
  describe(`${name}: failing ports`, () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    async function setup(_options: object, kit: ReturnType<typeof makeKit>) {
      running = await mount(kit.verifier, { now: kit.now });
      const base = running.base;
      const api = (method: string, rel: string, json?: unknown) =>
        call(base + rel, { method, ...(json !== undefined ? { json } : {}) });
      return { api };
    }

    it('store failure is 503 store_unavailable, fail closed, with the catalog message', async () => {
      const down: Store = {
        update: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.1:6379 +12133734253')),
        updateMany: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.1:6379 +12133734253')),
        get: () => Promise.reject(new Error('ECONNREFUSED')),
      };
      const outbox = outboxSender();
      const verifier = createVerifier({ secret: SECRET, store: down, sender: outbox });
      const kit = { ...makeKit(), verifier, outbox };
      const { api } = await setup({}, kit);
      const r = await api('POST', '/verifications', { phone: PHONE });
      expectError(r, 503, 'store_unavailable');
      expect(r.text).not.toContain('ECONNREFUSED');
      expect(outbox.messages).toHaveLength(0);
      // A well-formed id (opaque ids are opened before the store is asked).
      const ring = keyring(SECRET);
      const id = newVerificationId(ring, phoneKey(ring, PHONE), new Uint8Array(12));
      expectError(await api('GET', `/verifications/${id}`), 503, 'store_unavailable');
    });

    it("delivery failure is 502 with the catalog message, never the provider's text", async () => {
      const kit = makeKit({
        sender: {
          send: async (m) =>
            ({
              ok: false,
              error: {
                kind: 'rejected',
                reason: 'invalid_number',
                message: `The 'To' number ${m.to} is not valid`,
                retryable: false,
              },
            }) as never,
        },
      });
      const { api } = await setup({}, kit);
      const r = await api('POST', '/verifications', { phone: PHONE2 });
      expectError(r, 502, 'delivery_failed');
      expect(r.text).not.toContain('4155552671');
    });
  });
}
