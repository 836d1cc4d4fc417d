/**
 * Attack: a client picks its own IP, against the Web-standard handler. A `Request` carries
 * no trustworthy client address, so the handler never reads X-Forwarded-For: it refuses to
 * be built without the app's `clientIp(request, info)` while per-IP budgets are on, and
 * with one, a spoofed X-Forwarded-For changes neither the requester nor its budget.
 */
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../adapters/fetch/index';
import { spreadNumbers } from '../abuse/support';
import { fetchServer } from '../http/fetch-server';
import { call, makeKit } from '../http/kit';

/** The IP destinations budget: 30 distinct numbers an hour from one IP (the default). */
const IP_BUDGET = 30;
const ATTEMPTS = 40;
const spoofed = (i: number) => `203.0.113.${i + 1}`;

type Kit = ReturnType<typeof makeKit>;
const ipsOf = (kit: Kit) => [...new Set(kit.events.map((e) => e.context?.ip))];

function expectBudgetHeld(statuses: readonly number[]): void {
  expect(statuses.slice(0, IP_BUDGET)).toEqual(Array(IP_BUDGET).fill(201));
  expect(statuses.slice(IP_BUDGET)).toEqual(Array(ATTEMPTS - IP_BUDGET).fill(429));
}

/** `ATTEMPTS` starts to different numbers, each claiming a new IP; their statuses. */
async function spoofedStarts(send: (phone: string, xff: string) => Promise<number>) {
  const phones = spreadNumbers(ATTEMPTS);
  const statuses: number[] = [];
  for (let i = 0; i < ATTEMPTS; i += 1) statuses.push(await send(phones[i] as string, spoofed(i)));
  return statuses;
}

const startRequest = (phone: string, headers: Record<string, string>) =>
  new Request('https://app.example/verify/verifications', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ phone }),
  });

describe('fetch: a client-chosen IP (X-Forwarded-For)', () => {
  it('without clientIp: refused at construction, naming every way out', () => {
    const kit = makeKit();
    expect(() => createHandler(kit.verifier, { basePath: '/verify' })).toThrow(
      /clientIp[\s\S]*cf-connecting-ip[\s\S]*requestIP[\s\S]*remoteAddr[\s\S]*context[\s\S]*unsafeSharedRequester/,
    );
  });

  it('over a socket, clientIp from the platform info: a spoofed X-Forwarded-For changes nothing', async () => {
    const kit = makeKit();
    const running = await fetchServer(kit.verifier, { now: kit.now });
    try {
      const statuses = await spoofedStarts(async (phone, xff) => {
        const r = await call(`${running.base}/verifications`, {
          method: 'POST',
          json: { phone },
          headers: { 'x-forwarded-for': xff },
        });
        return r.status;
      });
      expectBudgetHeld(statuses);
      expect(kit.outbox.messages).toHaveLength(IP_BUDGET);
      expect(ipsOf(kit)).toEqual(['127.0.0.1']);
    } finally {
      await running.close();
    }
  });

  it("clientIp reading the platform's header (CF-Connecting-IP): X-Forwarded-For is not read", async () => {
    const kit = makeKit();
    const handler = createHandler(kit.verifier, {
      basePath: '/verify',
      now: kit.now,
      clientIp: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
    });
    const statuses = await spoofedStarts(async (phone, xff) => {
      const headers = { 'cf-connecting-ip': '198.51.100.23', 'x-forwarded-for': xff };
      return (await handler(startRequest(phone, headers))).status;
    });
    expectBudgetHeld(statuses);
    expect(ipsOf(kit)).toEqual(['198.51.100.23']);
  });

  it('clientIp finding no address (a header the platform did not set): refused, nothing sent', async () => {
    const kit = makeKit();
    const handler = createHandler(kit.verifier, {
      basePath: '/verify',
      now: kit.now,
      clientIp: (request) => request.headers.get('cf-connecting-ip') ?? undefined,
    });
    const request = startRequest(spreadNumbers(1)[0] as string, { 'x-forwarded-for': spoofed(0) });
    await expect(handler(request)).rejects.toThrow(/clientIp returned no address/);
    expect(kit.outbox.messages).toHaveLength(0);
  });

  it('unsafeSharedRequester: every caller is one anonymous requester, whatever it claims', async () => {
    const kit = makeKit();
    const handler = createHandler(kit.verifier, { now: kit.now, unsafeSharedRequester: true });
    const statuses = await spoofedStarts(async (phone, xff) => {
      const request = new Request(startRequest(phone, { 'x-forwarded-for': xff }), {});
      return (await handler(new Request(request.url.replace('/verify', ''), request))).status;
    });
    expectBudgetHeld(statuses);
    expect(ipsOf(kit)).toEqual(['0.0.0.0']);
  });

  it('per-IP budgets off: still refused without clientIp, since the address also binds a verification to its requester', () => {
    const kit = makeKit({ abuse: { requesters: { ip: false } } });
    expect(() => createHandler(kit.verifier, { basePath: '/verify', now: kit.now })).toThrow(
      /clientIp[\s\S]*unsafeSharedRequester/,
    );
  });

  it('a bad clientIp or unsafeSharedRequester is refused at construction', () => {
    const kit = makeKit();
    const bad = { clientIp: 'cf-connecting-ip' } as unknown as Parameters<typeof createHandler>[1];
    expect(() => createHandler(kit.verifier, bad)).toThrow(/clientIp/);
    const notTrue = { unsafeSharedRequester: 'yes' } as unknown as Parameters<
      typeof createHandler
    >[1];
    expect(() => createHandler(kit.verifier, notTrue)).toThrow(/unsafeSharedRequester/);
  });
});

/**
 * Attack (review of the fetch handler): with per-IP budgets off, a request whose `clientIp`
 * found no address was the anonymous requester, which may act on any verification. The
 * victim starts with an address and a device id; the attacker, holding the id, sends neither.
 */
describe("fetch: a caller with no address takes over another requester's verification", () => {
  const victim = { 'cf-connecting-ip': '198.51.100.7', 'x-device-id': 'victim-phone' };

  async function served() {
    const kit = makeKit({ abuse: { requesters: { ip: false } } });
    const running = await fetchServer(kit.verifier, {
      now: kit.now,
      clientIp: (req: { headers: Record<string, unknown> }) =>
        req.headers['cf-connecting-ip'] as string | undefined,
    } as never);
    const started = await call(`${running.base}/verifications`, {
      method: 'POST',
      json: { phone: spreadNumbers(1)[0] },
      headers: victim,
    });
    expect(started.status).toBe(201);
    const id = (JSON.parse(started.text) as { id: string }).id;
    return { kit, running, id };
  }

  it("cancel, resend and wrong checks with no address are refused; the victim's verification is intact", async () => {
    const { kit, running, id } = await served();
    try {
      const cancel = await call(`${running.base}/verifications/${id}`, { method: 'DELETE' });
      const resend = await call(`${running.base}/verifications/${id}/resend`, {
        method: 'POST',
        json: {},
      });
      const wrong = await call(`${running.base}/verifications/${id}/check`, {
        method: 'POST',
        json: { code: '000000' },
      });
      for (const r of [cancel, resend, wrong]) expect([200, 400, 429]).not.toContain(r.status);
      const status = await call(`${running.base}/verifications/${id}`, { headers: victim });
      expect(JSON.parse(status.text)).toMatchObject({ status: 'pending', attemptsLeft: 5 });
      expect(kit.outbox.messages).toHaveLength(1);
      const code = kit.outbox.last()?.code as string;
      const own = await call(`${running.base}/verifications/${id}/check`, {
        method: 'POST',
        json: { code },
        headers: victim,
      });
      expect(own.status).toBe(200);
      expect(JSON.parse(own.text)).toMatchObject({ status: 'approved' });
    } finally {
      await running.close();
    }
  });

  it("the right code from a caller with no address does not approve the victim's verification", async () => {
    const { kit, running, id } = await served();
    try {
      const code = kit.outbox.last()?.code as string;
      const stolen = await call(`${running.base}/verifications/${id}/check`, {
        method: 'POST',
        json: { code },
      });
      expect(stolen.status).not.toBe(200);
      expect(running.appErrors.length).toBeGreaterThan(0);
    } finally {
      await running.close();
    }
  });
});
