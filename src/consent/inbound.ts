/**
 * `verifier.consent.inbound`: a keyword message received (STOP, START, HELP...), counted
 * against the phone's inbound bound (`./inbound-limit`), recorded in the ledger and answered
 * with the reply to send back. @internal
 * @module
 */
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';
import { storeError } from '../feature/errors';
import type { ConsentEntry } from '../ports/consent-ledger';
import { type InboundDecision, inboundKey, inboundTransition, staleKeyword } from './inbound-limit';
import { MAX_CONSENT_TEXT } from './input';
import { parseKeyword } from './keywords';
import type { Setup } from './setup';
import { keywordOptInDraft, keywordSource } from './status';
import type { ConsentApi, ConsentInboundResult } from './types';
import { announce, type Call, callOf, optOutWith } from './writes';

const MESSAGE_ID = /^[\x21-\x7e]{1,128}$/;

/** A provider message id: absent, or 1-128 printable ASCII characters. */
function messageIdOf(x: unknown): Result<string | undefined, VerifyError> {
  if (x === undefined) return ok(undefined);
  if (typeof x === 'string' && MESSAGE_ID.test(x)) return ok(x);
  return err(
    verifyError('invalid_request', {
      message: '`messageId` must be the provider message id, 1-128 printable ASCII characters.',
    }),
  );
}

/** The replies to send back, the configured ones or the defaults. */
function repliesOf(s: Setup) {
  const app = s.sh.appName;
  return {
    optedOut:
      s.replies.optedOut ??
      `${app}: You are unsubscribed and will receive no further messages. Reply START to resubscribe.`,
    optedIn:
      s.replies.optedIn ??
      `${app}: You are subscribed again to verification codes. Reply HELP for help, STOP to opt out.`,
    help:
      s.replies.help ??
      `${app}: one-time verification codes on request. Msg & data rates may apply. Reply STOP to opt out.`,
  };
}

/** Counts one keyword message against the phone's inbound bound (see `./inbound-limit`). */
function admit(s: Setup, c: Call, optIn: boolean, messageId: string | undefined) {
  return ResultAsync.fromPromise(
    Promise.resolve().then(() =>
      s.sh.store.update<InboundDecision>(
        inboundKey(c.pk),
        inboundTransition(s.inboundLimit, c.at, optIn, messageId),
      ),
    ),
    storeError,
  );
}

/** The channel a keyword message came over: absent (SMS, as before), `sms` or `whatsapp`. */
function inboundChannelOf(x: unknown): Result<'sms' | 'whatsapp' | undefined, VerifyError> {
  if (x === undefined || x === 'sms' || x === 'whatsapp') return ok(x);
  return err(
    verifyError('invalid_request', {
      message: '`channel` must be "sms" or "whatsapp" (the channel the message came over).',
    }),
  );
}

/** When the provider says the message was sent: absent, or epoch ms. */
function sentAtOf(x: unknown): Result<number | undefined, VerifyError> {
  if (x === undefined || (Number.isSafeInteger(x) && (x as number) >= 0)) {
    return ok(x as number | undefined);
  }
  return err(
    verifyError('invalid_request', {
      message: '`sentAt` must be the time the message was sent, epoch milliseconds.',
    }),
  );
}

function inboundInput(s: Setup, input: unknown) {
  return callOf(s, input, 'from').andThen((c) =>
    typeof c.o.text === 'string' && c.o.text.length <= MAX_CONSENT_TEXT
      ? messageIdOf(c.o.messageId).andThen((messageId) =>
          inboundChannelOf(c.o.channel).andThen((channel) =>
            sentAtOf(c.o.sentAt).map((sentAt) => ({
              c,
              text: c.o.text as string,
              messageId,
              channel,
              sentAt,
            })),
          ),
        )
      : err(
          verifyError('invalid_request', {
            message: `\`text\` must be the message received, at most ${MAX_CONSENT_TEXT} characters.`,
          }),
        ),
  );
}

export function makeInbound(s: Setup): ConsentApi['inbound'] {
  const replies = repliesOf(s);
  return (input) => {
    const parsed = inboundInput(s, input);
    if (parsed.isErr()) return errAsync(parsed.error);
    const { c, text, messageId, channel, sentAt } = parsed.value;
    const stale = (last: ConsentEntry | undefined) => staleKeyword(last, sentAt, c.at);
    const k = parseKeyword(text);
    const reply = (action: ConsentInboundResult['action'], r?: string): ConsentInboundResult =>
      r === undefined ? { action } : { action, reply: r };
    if (!k) return okAsync(reply('none'));
    if (k.action === 'help') return okAsync(reply('help', replies.help));
    const evidence = {
      ...(messageId !== undefined ? { messageId } : {}),
      ...(channel !== undefined ? { channel } : {}),
    };
    if (k.action === 'opt_out') {
      return admit(s, c, false, messageId).andThen((d) =>
        d !== 'proceed'
          ? okAsync(reply('ignored'))
          : optOutWith(
              s,
              c,
              { source: keywordSource(channel), keyword: k.keyword, text, ...evidence },
              stale,
            ).map((a) => reply('opted_out', a.written ? replies.optedOut : undefined)),
      );
    }
    return admit(s, c, true, messageId).andThen((d) =>
      d !== 'proceed'
        ? okAsync(reply('ignored'))
        : s.book
            .append(c.pk, (last) =>
              stale(last)
                ? undefined
                : keywordOptInDraft(last, { at: c.at, keyword: k.keyword, text, ...evidence }),
            )
            .map((a) => {
              announce(s, a.written, c.phone, c.silent, c.context);
              return reply('opted_in', a.written ? replies.optedIn : undefined);
            }),
    );
  };
}
