/**
 * Attack: a weak policy makes guessing pay. Short codes, a tiny alphabet, many checks, no
 * send window or a long-lived code let a guesser reach one phone's code; such a policy is
 * refused at construction (the message names the computed guess probability per day and
 * the limit) unless the app opts in with `unsafe: { weakPolicy: true }`. Over real
 * sockets, the opted-in weak policy falls to an exhaustive guess; the default does not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyOptions } from '../../src/core/policy';
import { call, makeKit, PHONE } from '../http/kit';
import type { Running } from '../http/servers';
import { FRAMEWORKS } from './support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNSAFE = 'unsafe: { weakPolicy: true }';

/**
 * The weak policies of the issue and the figure each message must name: the default windows
 * allow 15 sends to one phone in 24 h + the code TTL, 5 checks each (75 guesses a day).
 */
const WEAK: readonly (readonly [name: string, policy: PolicyOptions, figure: RegExp])[] = [
  // 75 guesses over 10^4 codes.
  ['codeLength: 4', { codeLength: 4 }, /7\.5e-3 per day/],
  // 2^6 = 64 codes: a guesser is sure to succeed.
  ["alphabet: '01'", { alphabet: '01' }, /probability up to 1 per day/],
  // 15 x 100 = 1,500 guesses over 10^6 codes.
  ['maxChecks: 100', { maxChecks: 100 }, /1\.5e-3 per day/],
  // Nothing limits the sends: unbounded guesses.
  ['sendWindows: []', { sendWindows: [] }, /no send window/],
  // A code alive for a year (and the windows then allow 10 x 367 + 5 sends in its span).
  ['a 366-day lifetime', { codeTtlMs: 366 * DAY }, /codeTtlMs[\s\S]*1 hour/],
];

function build(policy: PolicyOptions, extra: Record<string, unknown> = {}) {
  return makeKit({ policy, ...extra } as never);
}

describe('weak policies are refused at construction', () => {
  for (const [name, policy, figure] of WEAK) {
    it(`${name}: refused with the figure, the limit and the way out`, () => {
      let message = '';
      try {
        build(policy);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(figure);
      expect(message).toContain(UNSAFE);
      expect(message).toMatch(/1e-3|1 hour|send window/);
    });

    it(`${name}: accepted with the explicit unsafe opt-in`, () => {
      expect(() => build(policy, { unsafe: { weakPolicy: true } })).not.toThrow();
    });
  }

  it('the default policy and a strong custom one are accepted', () => {
    expect(() => makeKit()).not.toThrow();
    expect(() =>
      build({ codeLength: 8, alphabet: 'alphanumeric', maxChecks: 10, codeTtlMs: HOUR }),
    ).not.toThrow();
  });

  it('the probability limit is 1e-3 per day: 66 checks pass, 67 do not', () => {
    // 15 sends a day x 66 = 990 guesses over 10^6 codes; x 67 = 1,005.
    expect(() => build({ maxChecks: 66 })).not.toThrow();
    expect(() => build({ maxChecks: 67 })).toThrow(/1\.0e-3 per day[\s\S]*limit 1e-3/);
  });

  it('the lifetime limit is 1 hour', () => {
    expect(() => build({ codeTtlMs: HOUR })).not.toThrow();
    expect(() => build({ codeTtlMs: HOUR + 1 })).toThrow(/codeTtlMs/);
  });

  it('the opt-in is checked: only `true` opts in', () => {
    expect(() => build({ codeLength: 4 }, { unsafe: { weakPolicy: 'yes' } })).toThrow(
      /unsafe\.weakPolicy must be a boolean/,
    );
    expect(() => build({ codeLength: 4 }, { unsafe: { weakPolicy: false } })).toThrow(
      /7\.5e-3 per day/,
    );
    expect(() => build({}, { unsafe: 'all' })).toThrow(/unsafe must be an object/);
  });
});

for (const [name, mount] of FRAMEWORKS) {
  describe(`${name}: guessing a code over HTTP`, () => {
    const open: Running[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((r) => r.close()));
    });

    /** Starts a verification, then tries every code of `alphabet`^`length` until one passes. */
    async function exhaust(kit: ReturnType<typeof makeKit>, alphabet: string, length: number) {
      const running = await mount(kit.verifier, { now: kit.now });
      open.push(running);
      const started = await call(`${running.base}/verifications`, {
        method: 'POST',
        json: { phone: PHONE },
      });
      expect(started.status).toBe(201);
      const codes = [...Array(alphabet.length ** length).keys()].map((n) =>
        n.toString(alphabet.length).padStart(length, '0'),
      );
      const outcomes: string[] = [];
      for (const code of codes) {
        const r = await call(`${running.base}/verifications/${started.json.id}/check`, {
          method: 'POST',
          json: { code },
        });
        outcomes.push(r.status === 200 ? 'approved' : r.json.error.code);
        if (r.status === 200 || outcomes.length >= 20) break;
      }
      return outcomes;
    }

    it('an opted-in weak policy (16 codes, 100 checks) falls to an exhaustive guess', async () => {
      const kit = build(
        { codeLength: 4, alphabet: '01', maxChecks: 100 },
        { unsafe: { weakPolicy: true } },
      );
      const outcomes = await exhaust(kit, '01', 4);
      expect(outcomes.at(-1)).toBe('approved');
      expect(outcomes.length).toBeLessThanOrEqual(16);
    });

    it('the default policy stops the same guesser after 5 checks', async () => {
      const outcomes = await exhaust(makeKit(), '0123456789', 6);
      expect(outcomes).not.toContain('approved');
      expect(outcomes.slice(0, 4)).toEqual(Array(4).fill('code_mismatch'));
      expect(outcomes.slice(5)).toEqual(Array(15).fill('max_attempts_reached'));
    });
  });
}
