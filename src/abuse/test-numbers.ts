/**
 * Test numbers (`testNumbers: { '+15005550006': '123456' }`): no message is sent, the fixed
 * code is accepted, every limit still applies. Refused at construction when
 * `NODE_ENV=production` unless `allowTestNumbersInProduction`. A feature of the verifier
 * (`testNumbersFeature`). @internal
 * @module
 */
import { normalizeCodeInput } from '../codes';
import type { Policy } from '../core/policy';
import { nodeEnv } from '../environment';
import type { Feature, FeatureIO } from '../feature/feature';
import { normalizePhone } from '../phone';
import type { Keyring } from '../secrets';
import { phoneKey } from '../secrets';
import type { TestNumber } from './types';

interface Entry {
  readonly code: string;
  /** Epoch ms after which the number is ordinary again (Infinity: never). */
  readonly until: number;
}

/** Test numbers validated at construction, keyed by E.164. */
export interface TestNumbers {
  readonly byNumber: ReadonlyMap<string, Entry>;
  /** Whether `e164` is a test number at `at`. */
  isTest(e164: string, at: number): boolean;
}

function fail(message: string): never {
  throw new TypeError(`phoneproof: testNumbers ${message}`);
}

function expiry(number: string, v: TestNumber): Entry {
  if (typeof v === 'string') return { code: v, until: Number.POSITIVE_INFINITY };
  if (typeof v !== 'object' || v === null || typeof v.code !== 'string') {
    fail(`["${number}"] must be a code string or { code, expiresAt? }.`);
  }
  if (v.expiresAt === undefined) return { code: v.code, until: Number.POSITIVE_INFINITY };
  const until =
    v.expiresAt instanceof Date ? v.expiresAt.getTime() : new Date(v.expiresAt).getTime();
  if (!Number.isFinite(until)) fail(`["${number}"].expiresAt is not a date.`);
  return { code: v.code, until };
}

/** Validates `testNumbers`; throws on misconfiguration. Undefined when none are configured. */
export function resolveTestNumbers(
  numbers: Readonly<Record<string, TestNumber>> | undefined,
  allowInProduction: boolean | undefined,
  env: string | undefined,
): TestNumbers | undefined {
  if (numbers === undefined) return undefined;
  if (typeof numbers !== 'object' || numbers === null)
    fail('must be an object { "+1...": "123456" }.');
  const entries = Object.entries(numbers);
  if (entries.length === 0) return undefined;
  if (env === 'production' && allowInProduction !== true) {
    fail(
      'are refused when NODE_ENV=production: they accept a fixed code. Remove them, or set ' +
        '`allowTestNumbersInProduction: true` (for example for app-store review accounts).',
    );
  }
  const byNumber = new Map<string, Entry>();
  for (const [raw, v] of entries) {
    const n = normalizePhone(raw);
    if (n.isErr()) fail(`key "${raw}" is not a valid phone number in E.164.`);
    byNumber.set(n.value.number, expiry(raw, v));
  }
  return {
    byNumber,
    isTest: (e164, at) => {
      const e = byNumber.get(e164);
      return e !== undefined && at < e.until;
    },
  };
}

/**
 * The fixed codes by phone key, checked against the code policy (a test code must be a code
 * the verifier could have sent).
 */
export function presetCodes(
  t: TestNumbers,
  ring: Keyring,
  policy: Policy,
): (phoneKey: string, at: number) => string | undefined {
  const byKey = new Map<string, Entry>();
  for (const [number, e] of t.byNumber) {
    if (normalizeCodeInput(e.code, policy.codeLength, policy.alphabet) !== e.code) {
      fail(
        `["${number}"]: the code must be ${policy.codeLength} characters of the code alphabet ` +
          '(as the verifier sends them).',
      );
    }
    byKey.set(phoneKey(ring, number), e);
  }
  return (key, at) => {
    const e = byKey.get(key);
    return e !== undefined && at < e.until ? e.code : undefined;
  };
}

/**
 * The test-numbers feature: `presetCode` gives a test number its fixed code, `send` answers
 * for the sender (no message leaves for a test number). No hooks without test numbers.
 * Throws on misconfiguration (and when NODE_ENV=production, see above).
 */
export function testNumbersFeature(
  options: {
    readonly testNumbers?: Readonly<Record<string, TestNumber>> | undefined;
    readonly allowTestNumbersInProduction?: boolean | undefined;
  },
  io: Pick<FeatureIO, 'ring' | 'policy'>,
): Feature {
  const t = resolveTestNumbers(
    options.testNumbers,
    options.allowTestNumbersInProduction,
    nodeEnv(),
  );
  if (t === undefined) return { name: 'testNumbers', hooks: {}, api: undefined };
  const preset = presetCodes(t, io.ring, io.policy);
  return {
    name: 'testNumbers',
    hooks: {
      presetCode: (ctx) => preset(ctx.phoneKey, ctx.at),
      send: (message, at, next) =>
        t.isTest(message.to, at)
          ? Promise.resolve({
              ok: true,
              messageId: `test-number:${message.verificationId.slice(-12)}`,
              provider: 'test-number',
            })
          : next(message),
    },
    api: undefined,
  };
}
