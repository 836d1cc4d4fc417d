/**
 * Attack (review of the one requester identity): an application widens the IPv6 grouping of
 * its budgets (`abuse.requesters.ipv6PrefixLength`, e.g. /32 against address rotation). A
 * caller elsewhere in that wide block, holding a verification's id, must still not be its
 * requester: the binding groups IPv6 by the subscriber's /64 whatever the budgets say.
 */
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/testing/index';
import { call } from '../http/kit';
import { FRAMEWORKS } from './support';

const SECRET = 'an adversary test secret of 32 bytes or more, not for production';
const PHONE = '+12133734253';
const VICTIM = '2001:db8:aaaa:1::1';
const ATTACKER = '2001:db8:ffff:9::7'; // same /32, another /64
const NEIGHBOUR = '2001:db8:aaaa:1::2'; // the victim's own /64

async function served(mount: (typeof FRAMEWORKS)[number][1], ipv6PrefixLength: number) {
  const clock = { now: Date.UTC(2030, 0, 1) };
  const outbox = outboxSender();
  const { memoryStore } = await import('../../adapters/memory/index');
  const verifier = createVerifier({
    secret: SECRET,
    store: memoryStore({ now: () => clock.now }),
    sender: outbox,
    now: () => clock.now,
    abuse: { requesters: { ipv6PrefixLength } },
  });
  const server = await mount(verifier, { now: () => clock.now }, { trustProxy: '127.0.0.1' });
  const as = (ip: string, method: string, path: string, json?: unknown) =>
    call(`${server.base}${path}`, {
      method,
      headers: { 'x-forwarded-for': ip },
      ...(json !== undefined ? { json } : {}),
    });
  return { server, outbox, as };
}

for (const [framework, mount] of FRAMEWORKS) {
  describe(`${framework}: a wide IPv6 budget grouping does not widen who owns a verification`, () => {
    it('with ipv6PrefixLength 32, another /64 of the block gets not_found for check, resend and cancel', async () => {
      const { server, outbox, as } = await served(mount, 32);
      try {
        const started = await as(VICTIM, 'POST', '/verifications', { phone: PHONE });
        expect(started.status, started.text).toBe(201);
        const id = (JSON.parse(started.text) as { id: string }).id;
        const code = outbox.last()?.code as string;
        expect((await as(ATTACKER, 'POST', `/verifications/${id}/check`, { code })).status).toBe(
          404,
        );
        expect((await as(ATTACKER, 'POST', `/verifications/${id}/resend`, {})).status).toBe(404);
        expect((await as(ATTACKER, 'DELETE', `/verifications/${id}`)).status).toBe(404);
        // The victim's own network (a privacy address in the same /64) still owns it.
        const own = await as(NEIGHBOUR, 'POST', `/verifications/${id}/check`, { code });
        expect(own.status, own.text).toBe(200);
      } finally {
        await server.close();
      }
    });
  });
}
