/**
 * Attack: shutting a country down from two addresses. The conversion guard pauses a country
 * whose verifications do not convert; an attacker who starts 50 verifications to German
 * numbers from 2 IPs and types no code used to pause Germany for everyone, then take every
 * probe slot after each pause, keeping it shut. A pause must need unconverted verifications
 * from many distinct requesters (`conversion.minRequesters`, default 10), and the requesters
 * that tripped it must not take the probes.
 *
 * Over real sockets on both frameworks, the default abuse settings, a controlled clock.
 * Requesters are told apart by address: the servers trust `X-Forwarded-For` in this harness
 * only (as behind a proxy).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { call, type Reply } from '../http/kit';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const MINUTE = 60_000;
const T0 = Date.UTC(2030, 0, 7, 9);

/** German mobile numbers, one per 6-digit prefix (no prefix limit or prefix pause applies). */
const german = (i: number, tail = '345678') => `+49151${String(i).padStart(2, '0')}${tail}`;

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe.each(FRAMEWORKS)('%s: a country paused by few requesters', (_name, mount) => {
  async function setup() {
    const clock = { now: T0 };
    const now = () => clock.now;
    const outbox = outboxSender();
    const verifier = createVerifier({
      secret: 'adversary-country-pause-secret-0123456789',
      store: memoryStore({ now }),
      sender: outbox,
      now,
    });
    running = await mount(verifier, { now }, { trustProxy: '127.0.0.1' });
    const base = running.base;
    const start = (ip: string, phone: string): Promise<Reply> =>
      call(`${base}/verifications`, {
        method: 'POST',
        headers: { 'x-forwarded-for': ip },
        json: { phone },
      });
    const check = (ip: string, id: string, code: string): Promise<Reply> =>
      call(`${base}/verifications/${id}/check`, {
        method: 'POST',
        headers: { 'x-forwarded-for': ip },
        json: { code },
      });
    /** `n` starts to German numbers, requester `i % ips.length` for the i-th; none checked. */
    const flood = async (ips: readonly string[], n: number) => {
      const replies: Reply[] = [];
      for (let i = 0; i < n; i += 1) replies.push(await start(ips[i % ips.length]!, german(i)));
      return replies;
    };
    return { clock, outbox, start, check, flood };
  }

  it('50 unchecked starts from 2 IPs do not pause Germany for its owners', async () => {
    const t = await setup();
    const replies = await t.flood(['203.0.113.1', '203.0.113.2'], 50);
    expect(replies.every((r) => r.status === 201)).toBe(true);
    // Past the grace period and the bucket: the 50 verifications are judged.
    t.clock.now += 40 * MINUTE;
    for (let u = 0; u < 5; u += 1) {
      const r = await t.start(`198.51.100.${10 + u}`, german(60 + u, '111222'));
      expect({ status: r.status, code: r.json?.error?.code }).toEqual({
        status: 201,
        code: undefined,
      });
    }
  });

  it('many distinct requesters still pause a country; those that tripped it cannot take the probes', async () => {
    const t = await setup();
    const attackers = Array.from({ length: 12 }, (_, i) => `203.0.113.${i + 1}`);
    const replies = await t.flood(attackers, 50);
    expect(replies.every((r) => r.status === 201)).toBe(true);
    t.clock.now += 40 * MINUTE;
    // The next start trips the pause: it is refused, and so is an owner's.
    const tripped = await t.start('198.51.100.1', german(70, '111222'));
    expect(tripped.json?.error?.code).toBe('destination_paused');
    expect(tripped.json?.error?.scope).toBe('country');
    // After the pause (1 h), the attacker's addresses cannot take a probe...
    t.clock.now += 61 * MINUTE;
    for (const ip of attackers.slice(0, 4)) {
      const r = await t.start(ip, german(80, '999000'));
      expect(r.json?.error?.code).toBe('destination_paused');
    }
    // ...an owner can, once (one probe per requester); the next owner takes the next slot.
    const owner = await t.start('198.51.100.2', german(71, '111222'));
    expect(owner.status).toBe(201);
    const again = await t.start('198.51.100.2', german(72, '111222'));
    expect(again.json?.error?.code).toBe('destination_paused');
    const other = await t.start('198.51.100.3', german(73, '111222'));
    expect(other.status).toBe(201);
    // The probes convert: the owners type their codes; once judged, Germany is open again.
    for (const [i, ip] of [
      [71, '198.51.100.2'],
      [73, '198.51.100.3'],
    ] as const) {
      const m = t.outbox.last(german(i, '111222'))!;
      const ok = await t.check(ip, m.verificationId, m.code);
      expect(ok.status).toBe(200);
    }
    const third = await t.start('198.51.100.4', german(74, '111222'));
    expect(third.status).toBe(201);
    const m = t.outbox.last(german(74, '111222'))!;
    expect((await t.check('198.51.100.4', m.verificationId, m.code)).status).toBe(200);
    t.clock.now += 40 * MINUTE;
    const open = await t.start('203.0.113.1', german(81, '999000'));
    expect(open.status).toBe(201);
  });
});
