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
  it('without clientIp, IP budgets on: refused at construction, naming every way out', () => {
    const kit = makeKit();
    expect(() => createHandler(kit.verifier, { basePath: '/verify' })).toThrow(
      /clientIp[\s\S]*cf-connecting-ip[\s\S]*requestIP[\s\S]*remoteAddr[\s\S]*context[\s\S]*unsafeSharedRequester[\s\S]*requesters: \{ ip: false \}/,
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

  it('per-IP budgets off: built without clientIp; the forwarded header still is not the IP', async () => {
    const kit = makeKit({ abuse: { requesters: { ip: false } } });
    const handler = createHandler(kit.verifier, { basePath: '/verify', now: kit.now });
    const r = await handler(
      startRequest(spreadNumbers(1)[0] as string, { 'x-forwarded-for': spoofed(0) }),
    );
    expect(r.status).toBe(201);
    expect(ipsOf(kit)).toEqual([undefined]);
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
