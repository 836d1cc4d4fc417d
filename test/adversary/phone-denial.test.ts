/**
 * Hole 4, denying a phone: an anonymous requester on one address tries to keep the owner
 * of a number (on another address) from verifying it, over real sockets:
 *
 * - superseding: it starts a verification with the owner's purpose right after the owner;
 * - canceling, resending or spending the checks of the owner's verification (its id leaked);
 * - locking: it starts verifications of its own and fails them until the lock;
 * - exhausting the send windows with its own starts.
 *
 * The servers trust `X-Forwarded-For` (in this harness only) so that each requester has its
 * own client IP on loopback; the verifier's requester key is that IP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import type { Verifier } from '../../src/verifier/types';
import { call, type Reply } from '../http/kit';
import type { Mount, Running } from '../http/servers';
import { FRAMEWORKS, MEMORY_ONLY, STORES, type StoreKind, type StoreUnderTest } from './support';

const PHONE = '+12133734253';
const SECRET = 'phone-denial-adversary-secret-0123456789';
const OWNER = '198.51.100.7';
const ATTACKER = '203.0.113.66';
const MIN = 60_000;

interface World {
  readonly server: Running;
  readonly su: StoreUnderTest;
  readonly clock: { now: number };
  readonly codes: () => string;
  readonly verifier: Verifier;
  close(): Promise<void>;
}

/** A verifier on `kind` at `startAt`, mounted by `mount`, trusting the loopback proxy. */
async function world(mount: Mount, kind: StoreKind, startAt: number): Promise<World> {
  const clock = { now: startAt };
  const su = await kind.make(() => clock.now);
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: SECRET,
    store: su.store,
    sender: outbox,
    now: () => clock.now,
  });
  const server = await mount(verifier, { now: () => clock.now }, { trustProxy: '127.0.0.1' });
  return {
    server,
    su,
    clock,
    verifier,
    codes: () => outbox.last()!.code,
    close: async () => {
      await server.close();
      await su.close();
    },
  };
}

function wrongOf(code: string): string {
  return (code[0] === '9' ? '0' : String(Number(code[0]) + 1)) + code.slice(1);
}

async function as(w: World, ip: string, method: string, path: string, json?: unknown) {
  return call(`${w.server.base}${path}`, {
    method,
    headers: { 'x-forwarded-for': ip },
    ...(json !== undefined ? { json } : {}),
  });
}

const start = (w: World, ip: string, purpose = 'login') =>
  as(w, ip, 'POST', '/verifications', { phone: PHONE, purpose });
const check = (w: World, ip: string, id: string, code: string) =>
  as(w, ip, 'POST', `/verifications/${id}/check`, { code });

function ok(r: Reply, status = 200): Reply {
  expect(r.status, r.text).toBe(status);
  return r;
}

for (const [framework, mount] of FRAMEWORKS) {
  for (const kind of STORES) {
    describe(`phone denial, another requester's verification (${framework}, ${kind.name})`, () => {
      let w: World;
      beforeEach(async (ctx) => {
        if (!(await kind.available())) ctx.skip();
        w = await world(mount, kind, Date.now());
      });
      afterEach(() => w?.close());

      it("a start from another address does not supersede the owner's pending verification", async () => {
        const owner = ok(await start(w, OWNER), 201).json;
        const ownerCode = w.codes();
        ok(await start(w, ATTACKER), 201);
        const r = await check(w, OWNER, owner.id, ownerCode);
        expect(r.status, r.text).toBe(200);
        expect(r.json.status).toBe('approved');
      });

      it("cancel, resend and wrong checks from another address leave the owner's verification intact", async () => {
        const owner = ok(await start(w, OWNER), 201).json;
        const ownerCode = w.codes();
        // The id leaked (a shared link, a log): the attacker tries everything with it.
        const cancel = await as(w, ATTACKER, 'DELETE', `/verifications/${owner.id}`);
        expect(cancel.status, cancel.text).toBe(404);
        w.clock.now += 31_000;
        const resend = await as(w, ATTACKER, 'POST', `/verifications/${owner.id}/resend`, {});
        expect(resend.status, resend.text).toBe(404);
        for (let i = 0; i < 6; i += 1) {
          const bad = await check(w, ATTACKER, owner.id, wrongOf(ownerCode));
          expect(bad.status, bad.text).toBe(404);
        }
        const status = ok(await as(w, OWNER, 'GET', `/verifications/${owner.id}`)).json;
        expect(status.status).toBe('pending');
        expect(status.attemptsLeft).toBe(5);
        const r = await check(w, OWNER, owner.id, ownerCode);
        expect(r.status, r.text).toBe(200);
        expect(r.json.status).toBe('approved');
      });
    });
  }

  for (const kind of MEMORY_ONLY) {
    describe(`phone denial, failures and send windows (${framework}, ${kind.name})`, () => {
      let w: World;
      beforeEach(async () => {
        w = await world(mount, kind, Date.UTC(2031, 0, 6));
      });
      afterEach(() => w?.close());

      it("the attacker's failed verifications lock the attacker, not the owner", async () => {
        let refusedLocked = 0;
        // Start, fail every check, start again at once; wait when refused.
        for (let round = 0; round < 8; round += 1) {
          const s = await start(w, ATTACKER, `other-${round}`);
          if (s.status !== 201) {
            if (s.json?.error?.code === 'locked') refusedLocked += 1;
            w.clock.now += 35 * MIN;
            continue;
          }
          const bad = wrongOf(w.codes());
          for (let i = 0; i < 5; i += 1) await check(w, ATTACKER, s.json.id, bad);
        }
        expect(refusedLocked).toBeGreaterThan(0);
        const owner = await start(w, OWNER);
        expect(owner.status, owner.text).toBe(201);
        const r = await check(w, OWNER, owner.json.id, w.codes());
        expect(r.json.status).toBe('approved');
      });

      it("the attacker's starts take its own share of the send windows, never the whole", async () => {
        let sent = 0;
        for (let i = 0; i < 12; i += 1) {
          const s = await start(w, ATTACKER, `p${i}`);
          if (s.status === 201) sent += 1;
          w.clock.now += 40_000;
        }
        expect(sent).toBeGreaterThan(0);
        expect(sent).toBeLessThan(5);
        const owner = await start(w, OWNER);
        expect(owner.status, owner.text).toBe(201);
        const r = await check(w, OWNER, owner.json.id, w.codes());
        expect(r.json.status).toBe('approved');
      });
    });
  }
}
