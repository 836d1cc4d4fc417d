import { describe, expect, it } from 'vitest';
import { coalescedReads, keyedSerial } from './queue';

/** A promise resolved or rejected from outside. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('keyedSerial', () => {
  it('runs tasks of one key one at a time, in call order; other keys run alongside', async () => {
    const serial = keyedSerial();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string) => async () => {
      running += 1;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all([
      serial('a', task('a1')),
      serial('a', task('a2')),
      serial('a', task('a3')),
    ]);
    expect(results).toEqual(['a1', 'a2', 'a3']);
    expect(most).toBe(1);
    expect(log).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    running = 0;
    most = 0;
    await Promise.all([serial('x', task('x')), serial('y', task('y'))]);
    expect(most).toBe(2);
  });

  it('a failing task rejects its caller only; the next task still runs', async () => {
    const serial = keyedSerial();
    const boom = new Error('boom');
    const first = serial('k', async () => {
      throw boom;
    });
    const second = serial('k', async () => 'fine');
    await expect(first).rejects.toBe(boom);
    await expect(second).resolves.toBe('fine');
  });
});

describe('coalescedReads', () => {
  it('callers arriving during a read share one follow-up read, never the running one', async () => {
    const reads: Array<ReturnType<typeof deferred<string>>> = [];
    const get = coalescedReads(() => {
      const d = deferred<string>();
      reads.push(d);
      return d.promise;
    });
    const first = get('k');
    const later = Array.from({ length: 100 }, () => get('k'));
    expect(reads).toHaveLength(1);
    reads[0]!.resolve('before the write');
    expect(await first).toBe('before the write');
    await tick();
    expect(reads).toHaveLength(2); // one follow-up for all 100
    reads[1]!.resolve('after the write');
    expect(new Set(await Promise.all(later))).toEqual(new Set(['after the write']));
    const fresh = get('k');
    expect(reads).toHaveLength(3); // nothing running: a new read
    reads[2]!.resolve('again');
    expect(await fresh).toBe('again');
  });

  it('a failed read fails only its own callers; the follow-up still runs', async () => {
    const reads: Array<ReturnType<typeof deferred<string>>> = [];
    const get = coalescedReads(() => {
      const d = deferred<string>();
      reads.push(d);
      return d.promise;
    });
    const first = get('k');
    const second = get('k');
    reads[0]!.reject(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    reads[1]!.resolve('back');
    await expect(second).resolves.toBe('back');
  });

  it('keys do not share reads', async () => {
    const seen: string[] = [];
    const get = coalescedReads(async (key) => {
      seen.push(key);
      return key;
    });
    expect(await Promise.all([get('a'), get('b')])).toEqual(['a', 'b']);
    expect(seen).toEqual(['a', 'b']);
  });
});
