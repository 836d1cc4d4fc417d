/**
 * Extension points of the verifier shell. Features (consent, abuse defenses, proofs) plug
 * in here instead of editing every operation. Each hook is a small async function whose
 * expected failures are `VerifyError` values. @internal
 * @module
 */
import type { ResultAsync } from 'neverthrow';
import type { VerifyError } from '../errors';
import type { Channel } from '../ports/sender';
import type { CheckResult, RequestContext } from './types';

/** A message is about to be allowed (before the state transition reserves the send). */
export interface SendRequest {
  readonly kind: 'start' | 'resend';
  /** The verification's id (known on `start` before anything is written). */
  readonly id?: string;
  /** The phone's keyed hash (the store/ledger key fragment; never the number). */
  readonly phoneKey: string;
  /** E.164, known on `start` (on `resend` only after the transition). */
  readonly phone?: string;
  /** ISO country, known on `start`. */
  readonly country?: string;
  readonly channel?: Channel;
  readonly purpose?: string;
  readonly context?: RequestContext;
  /** The raw operation input, for features that read their own fields (e.g. `consent`). */
  readonly input: Readonly<Record<string, unknown>>;
  readonly silent: boolean;
  /** The operation's time, epoch ms. */
  readonly at: number;
}

/** Refuses (Err) or allows (Ok) a send. Runs before any state changes or message leaves. */
export type SendGuard = (req: SendRequest) => ResultAsync<void, VerifyError>;

/** Runs after a code is approved; may add fields (e.g. a proof token) or fail the check. */
export type ApproveHook = (
  result: CheckResult,
  req: { readonly at: number; readonly context?: RequestContext; readonly silent: boolean },
) => ResultAsync<CheckResult, VerifyError>;

/** A fixed code for a phone key at `at` (test numbers), or undefined to draw a random one. */
export type PresetCode = (phoneKey: string, at: number) => string | undefined;

export interface Hooks {
  readonly beforeSend: SendGuard[];
  readonly afterApprove: ApproveHook[];
  readonly presetCode: PresetCode[];
}

export const emptyHooks = (): Hooks => ({ beforeSend: [], afterApprove: [], presetCode: [] });

/** The first preset code for `phoneKey`, if any hook has one. */
export function presetCodeFor(hooks: Hooks, phoneKey: string, at: number): string | undefined {
  for (const f of hooks.presetCode) {
    const code = f(phoneKey, at);
    if (code !== undefined) return code;
  }
  return undefined;
}
