/**
 * `npm start` keeps its records across a restart: the demo runs on a SQLite file, so a code
 * sent before the restart is still checked after it, and the consent record is still there.
 * The same steps on `:memory:` lose the verification (the control: the test can fail).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, tempDir } from '../../adapters/sqlite/testing';
import { type Demo, startDemo } from '../../examples/demo/app';
import { outboxSender } from '../../src/senders/outbox';

const dir = tempDir('phoneproof-demo-');
afterAll(() => dir.remove());

const post = async (demo: Demo, path: string, body: unknown) => {
  const res = await fetch(new URL(`api${path}`, demo.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Starts a verification, restarts the demo on the same database, checks the code. */
async function acrossRestart(database: string) {
  const outbox = outboxSender();
  let demo = await startDemo({ port: 0, sender: outbox, database });
  const consent = (await (await fetch(new URL('api/consent', demo.url))).json()) as object;
  const started = await post(demo, '/verifications', {
    phone: '+12133734253',
    consent: { ...consent, source: 'demo_page' },
  });
  expect(started.status).toBe(201);
  await demo.close();
  demo = await startDemo({ port: 0, sender: outboxSender(), database });
  try {
    const id = encodeURIComponent(String(started.body.id));
    return await post(demo, `/verifications/${id}/check`, { code: outbox.last()!.code });
  } finally {
    await demo.close();
  }
}

describe('demo restart', () => {
  it('keeps pending verifications and consent records in its SQLite file', async () => {
    const file = dir.file('.data/demo.sqlite'); // the folder is created if missing
    const checked = await acrossRestart(file);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ status: 'approved' });
    const db = openDatabase(file);
    const n = db.prepare('SELECT count(*) AS n FROM phoneproof_consent').get() as { n: number };
    expect(Number(n.n)).toBe(1);
    db.close();
  });

  it('control: on :memory: the restart loses the verification', async () => {
    const checked = await acrossRestart(':memory:');
    expect(checked.status).not.toBe(200);
  });
});
