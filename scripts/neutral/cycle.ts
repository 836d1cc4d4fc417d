/**
 * The start/check cycle the runtime-neutral check runs on every runtime (bundled by
 * scripts/neutral-check.mjs for platform `neutral`, node builtins unavailable): through
 * `phoneproof/fetch`'s handler on `phoneproof/memory`, start, a wrong code, the right code
 * (its proof token), status, resend, then `verifyProof` (and its single use), and a blob
 * sealed by the `node:crypto` code before the crypto module, opened here. Returns the steps
 * and the crypto backend used; throws on the first surprise.
 * @module
 */
import { createHandler } from '../../adapters/fetch/index';
import { memoryStore } from '../../adapters/memory/index';
import { backend } from '../../src/crypto/index';
import { createVerifier, type Sender } from '../../src/index';
import { keyring, unseal } from '../../src/secrets';

/** Sealed as `phone-number` by the node:crypto code at 9877a17 (test/crypto/stored-formats.ts). */
const NODE_SEALED = 'AQIDBAUGBwgJCgsMkRxwZo08jpwzMIG_emjPu-TTQ0X-61mI5oiOZOyKFj3kT2BR1g';
const NODE_SECRETS = [
  'phoneproof-fixture-secret-current-0001',
  'phoneproof-fixture-secret-older-00000002',
];

export interface CycleResult {
  readonly backend: string;
  readonly steps: readonly string[];
}

function expect(step: string, ok: boolean, steps: string[]): void {
  if (!ok) throw new Error(`neutral cycle: ${step} failed after [${steps.join(', ')}]`);
  steps.push(step);
}

/** Runs the cycle in this runtime. */
export async function runCycle(): Promise<CycleResult> {
  const codes: string[] = [];
  const sender: Sender = {
    send: async (m) => {
      codes.push(m.code);
      return { ok: true, messageId: `m${codes.length}` };
    },
  };
  const verifier = createVerifier({
    secret: 'neutral-check-secret-neutral-check-secret!',
    store: memoryStore(),
    sender,
  });
  const handler = createHandler(verifier, { basePath: '/verify', unsafeSharedRequester: true });
  const call = async (path: string, method: string, body?: unknown) => {
    const init: RequestInit =
      body === undefined
        ? { method }
        : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const res = await handler(new Request(`http://localhost/verify${path}`, init));
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const steps: string[] = [];
  const started = await call('/verifications', 'POST', { phone: '+12133734253' });
  expect('start 201', started.status === 201, steps);
  const id = started.json.id as string;
  const wrong = await call(`/verifications/${id}/check`, 'POST', { code: '000000' });
  expect('wrong code 400', wrong.status === 400, steps);
  const resent = await call(`/verifications/${id}/resend`, 'POST', {});
  // The cooldown has not passed: the core refuses, through the same route and store.
  expect('resend too soon 429', resent.status === 429, steps);
  const right = await call(`/verifications/${id}/check`, 'POST', { code: codes.at(-1) });
  expect('right code 200', right.status === 200 && right.json.status === 'approved', steps);
  const status = await call(`/verifications/${id}`, 'GET');
  expect('status approved', status.status === 200 && status.json.status === 'approved', steps);
  const proof = right.json.proof as string;
  const verified = await verifier.verifyProof(proof, {
    purpose: 'verify',
    phone: '+12133734253',
    singleUse: true,
  });
  if (verified.isErr()) throw new Error(`neutral cycle: proof refused: ${verified.error.code}`);
  expect('proof verified', verified.isOk(), steps);
  const again = await verifier.verifyProof(proof, { purpose: 'verify', singleUse: true });
  expect('proof single use', again.isErr(), steps);
  const opened = unseal(keyring(NODE_SECRETS), 'phone-number', NODE_SEALED);
  expect('node-sealed blob opened', opened === 'hello +15550001111 é', steps);
  return { backend: backend.name, steps };
}
