import fc from 'fast-check';
import { createVerifier, type Verifier } from 'phoneproof';
import { memoryStore } from 'phoneproof/memory';
import { outboxSender, phoneNumber, testClock, verificationCode } from 'phoneproof/testing';
import { describe, expect, it } from 'vitest';

/** The application's signup: an account gets a phone only once its code was entered. */
function signupFlow(verifier: Verifier) {
  const accounts = new Map<string, { phone: string }>();
  return {
    accounts,
    begin: async (phone: string) => (await verifier.start({ phone })).map((s) => s.id),
    async finish(email: string, id: string, code: string) {
      const checked = await verifier.check({ id, code });
      return checked.map(({ phone }) => accounts.set(email, { phone }));
    },
  };
}

/** One app per run: its own clock, outbox and store, so runs cannot disturb each other. */
function setup() {
  const clock = testClock();
  const outbox = outboxSender();
  const verifier = createVerifier({
    secret: 'a-test-secret-of-at-least-32-bytes!',
    store: memoryStore({ now: clock.now }),
    sender: outbox,
    now: clock.now,
  });
  return { clock, outbox, app: signupFlow(verifier) };
}

describe('signup', () => {
  it('gives the account the number the code was sent to, for any valid number', async () => {
    await fc.assert(
      fc.asyncProperty(phoneNumber(), async (phone) => {
        const { outbox, app } = setup();
        const id = (await app.begin(phone))._unsafeUnwrap();
        const sent = outbox.last(phone);
        expect(sent?.to).toBe(phone);
        (await app.finish('ada@example.com', id, sent?.code ?? ''))._unsafeUnwrap();
        expect(app.accounts.get('ada@example.com')).toEqual({ phone });
      }),
      { numRuns: 25 },
    );
  });

  it('creates no account for a wrong code', async () => {
    await fc.assert(
      fc.asyncProperty(phoneNumber(['FR', 'DE']), verificationCode(), async (phone, guess) => {
        const { outbox, app } = setup();
        const id = (await app.begin(phone))._unsafeUnwrap();
        fc.pre(guess !== outbox.last(phone)?.code);
        const result = await app.finish('eve@example.com', id, guess);
        expect(result._unsafeUnwrapErr().code).toBe('code_mismatch');
        expect(app.accounts.size).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a code entered after it expired (ten minutes by default)', async () => {
    const { clock, outbox, app } = setup();
    const id = (await app.begin('+33612345678'))._unsafeUnwrap();
    clock.advance(10 * 60_000 + 1);
    const late = await app.finish('ada@example.com', id, outbox.last()?.code ?? '');
    expect(late._unsafeUnwrapErr().code).toBe('expired');
    expect(app.accounts.size).toBe(0);
  });
});
