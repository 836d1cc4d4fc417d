/**
 * Abuse defenses in the verifier: `withAbuse(options)` validates `abuse` and `testNumbers`
 * (throws on misconfiguration) and wraps the sender so test numbers get no message;
 * `install(shell, ops)` registers the test numbers' fixed codes and returns `start`,
 * `resend` and `check` guarded by the budgets. @internal
 * @module
 */
import { subkey } from '../secrets';
import { type Shell, storeError } from '../verifier/shell';
import type { AbuseInfo, VerifierOptions } from '../verifier/types';
import { resolveAbuse } from './options';
import { createShield } from './shield';
import { presetCodes, resolveTestNumbers, testNumberSender } from './test-numbers';
import { type Ops, wrapCheck, wrapResend, wrapStart } from './wrap';

export interface AbuseWiring {
  /** The options to build the shell with (the sender wrapped for test numbers). */
  readonly options: VerifierOptions;
  /** What is enforced, for `verifier.abuse`. */
  readonly info: AbuseInfo;
  install(sh: Shell, ops: Ops): Ops;
}

const nodeEnv = (): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV;

/** Validates the abuse options and prepares the wiring. */
export function withAbuse(options: VerifierOptions): AbuseWiring {
  if (typeof options !== 'object' || options === null) {
    return { options, info: { requesterBudgets: [] }, install: (_sh, ops) => ops };
  }
  const resolved = resolveAbuse(options.abuse);
  const tests = resolveTestNumbers(
    options.testNumbers,
    options.allowTestNumbersInProduction,
    nodeEnv(),
  );
  const inner = options.sender;
  const wrapSender = tests !== undefined && inner && typeof inner.send === 'function';
  const clock = () => (typeof options.now === 'function' ? options.now() : Date.now());
  return {
    options: wrapSender ? { ...options, sender: testNumberSender(inner, tests, clock) } : options,
    info: Object.freeze({ requesterBudgets: Object.freeze([...resolved.requesters.keys()]) }),
    install(sh, ops) {
      if (tests) sh.hooks.presetCode.push(presetCodes(tests, sh.ring, sh.policy));
      const key = subkey(sh.ring.lookup, 'abuse');
      const shield = createShield(resolved, {
        store: sh.store,
        key,
        publish: sh.publish,
        storeError,
      });
      if (shield.active) sh.keepParsedPhones();
      const idem = {
        store: sh.store,
        key,
        storeError,
        now: sh.now,
        nonce: () => Buffer.from(sh.random(12)).toString('base64url'),
        ipv6PrefixLength: resolved.ipv6PrefixLength,
        ring: sh.ring,
        iv: () => sh.random(12),
      };
      return {
        start: wrapStart(sh, shield, idem, ops.start),
        resend: wrapResend(sh, shield, ops.resend),
        check: wrapCheck(sh, shield, ops.check),
      };
    },
  };
}
