import { describe, expect, it } from 'vitest';
import { LastSeen } from './last-seen';

describe("LastSeen (the stores' last-value cache)", () => {
  it('keeps at most `capacity` keys, evicting the least recently set', () => {
    const c = new LastSeen<string>(2);
    c.set('a', '1');
    c.set('b', '2');
    c.set('a', '1b'); // a is now the most recent
    c.set('c', '3'); // evicts b
    expect([c.peek('a'), c.peek('b'), c.peek('c'), c.size]).toEqual(['1b', undefined, '3', 2]);
    c.set('c', undefined); // known absent: forgotten
    expect([c.peek('c'), c.size]).toEqual([undefined, 1]);
    c.delete('a');
    expect(c.size).toBe(0);
  });

  it('capacity 0 keeps nothing', () => {
    const c = new LastSeen<string>(0);
    c.set('a', '1');
    c.refresh('a', '1', c.mark());
    expect([c.peek('a'), c.size]).toEqual([undefined, 0]);
  });

  it('a read refreshes an entry only if nothing set or removed it since the read began', () => {
    const c = new LastSeen<string>(10);
    c.set('k', 'old');
    let mark = c.mark();
    c.refresh('k', 'read', mark);
    expect(c.peek('k')).toBe('read');

    mark = c.mark();
    c.set('k', 'written'); // an update landed while the read was in flight
    c.refresh('k', 'read-before-the-write', mark);
    expect(c.peek('k')).toBe('written');

    mark = c.mark();
    c.delete('k'); // deleted while the read was in flight
    c.refresh('k', 'read-before-the-delete', mark);
    expect(c.peek('k')).toBeUndefined();

    mark = c.mark();
    c.refresh('k', 'read', mark); // absent, nothing removed since: recorded
    expect(c.peek('k')).toBe('read');
    mark = c.mark();
    c.refresh('k', undefined, mark); // the read found nothing: forgotten
    expect(c.peek('k')).toBeUndefined();
  });

  it('an eviction during a read keeps the read from recording a key it may concern', () => {
    const c = new LastSeen<string>(1);
    c.set('k', 'v1');
    const mark = c.mark();
    c.set('k', 'v2');
    c.set('other', 'x'); // evicts k (set after the mark, so the read may predate it)
    c.refresh('k', 'v1', mark);
    expect(c.peek('k')).toBeUndefined();
  });

  it('a key set again soon keeps its place, updated where it is, out of reach of the next eviction', () => {
    const c = new LastSeen<string>(32);
    c.set('hot', 'v0');
    for (let i = 0; i < 31; i += 1) {
      c.set(`k${i}`, 'x'); // 31 more keys: full
      if (i % 8 === 0) c.set('hot', `v${i}`); // rewritten every few sets
    }
    c.set('hot', 'latest');
    c.set('k31', 'x'); // over capacity: evicts the oldest placed (k0, k1, k2), not `hot`
    expect([c.peek('hot'), c.peek('k0'), c.peek('k2'), c.peek('k3'), c.size]).toEqual([
      'latest',
      undefined,
      undefined,
      'x',
      30,
    ]);
  });

  it('an update in place keeps its place and is newer than a read begun before it', () => {
    const c = new LastSeen<string>(32);
    c.set('hot', 'v0'); // placed at clock 1
    for (let i = 0; i < 10; i += 1) c.set(`k${i}`, 'x'); // clocks 2 to 11
    const mark = c.mark();
    c.set('hot', 'latest'); // clock 12: within 16 sets of its placing, so updated in place
    c.refresh('hot', 'read-before-the-write', mark);
    expect(c.peek('hot')).toBe('latest');
    // In place, it kept its old position: going over capacity drops the three least recently
    // placed (one over, plus a sixteenth), hot, k0 and k1; placed anew, hot would have stayed
    // and k2 gone.
    for (let i = 10; i < 31; i += 1) c.set(`k${i}`, 'x'); // 32 entries
    c.set('k31', 'x');
    expect([c.peek('hot'), c.peek('k1'), c.peek('k2'), c.size]).toEqual([
      undefined,
      undefined,
      'x',
      30,
    ]);
  });

  it('a delete of a key not cached still keeps a read begun before it from recording it', () => {
    const c = new LastSeen<string>(4);
    const mark = c.mark();
    c.delete('k'); // evicted earlier, deleted now while the read was in flight
    c.refresh('k', 'read-before-the-delete', mark);
    expect(c.peek('k')).toBeUndefined();
  });
});
