/**
 * Attack: grow one phone's record without bound. Every start for a number adds a
 * verification to that number's one record, read and written whole on every operation; an
 * attacker starting for a victim's number day after day, from several addresses (through a
 * trusted loopback proxy, as in phone-denial.test.ts), on an app that keeps finished
 * verifications visible for a week (`retentionMs`), would make every later operation on the
 * number slower. `maxVerificationsPerPhone` (10) bounds what is kept: the oldest finished
 * ones are dropped (src/core/settle.ts), so their ids answer 404 while the newest stay
 * readable. Over real sockets on every framework.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../adapters/memory/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { call } from '../http/kit';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const PHONE = '+12133734253';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KEPT = 10;

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe.each(FRAMEWORKS)('%s: one phone record under daily starts', (_name, mount) => {
  it(`keeps at most ${KEPT} verifications: the oldest finished ones are gone (404)`, async () => {
    const clock = { now: Date.UTC(2031, 2, 3, 8) };
    const now = () => clock.now;
    const verifier = createVerifier({
      secret: 'record-growth-adversary-secret-012345678',
      store: memoryStore({ now }),
      sender: outboxSender(),
      now,
      policy: { retentionMs: 7 * DAY },
    });
    running = await mount(verifier, { now }, { trustProxy: '127.0.0.1' });
    const base = running.base;
    const as = (ip: string, method: string, path: string, json?: unknown) =>
      call(`${base}${path}`, {
        method,
        headers: { 'x-forwarded-for': ip },
        ...(json !== undefined ? { json } : {}),
      });
    const ids: string[] = [];
    // Three days of the most the phone's windows allow: 5 an hour, 10 a day.
    for (let day = 0; day < 3; day += 1) {
      for (let i = 0; i < 10; i += 1) {
        if (i === 5) clock.now += HOUR + 60_000;
        const ip = `203.0.113.${20 + (i % 4)}`;
        const r = await as(ip, 'POST', '/verifications', { phone: PHONE, purpose: `p${i}` });
        expect(r.status, r.text).toBe(201);
        ids.push(r.json.id as string);
      }
      clock.now += DAY;
    }
    const seen: number[] = [];
    for (const id of ids)
      seen.push((await as('198.51.100.1', 'GET', `/verifications/${id}`)).status);
    expect(seen.filter((s) => s === 200)).toHaveLength(KEPT);
    expect(seen).toEqual([...Array(ids.length - KEPT).fill(404), ...Array(KEPT).fill(200)]);
  });
});
