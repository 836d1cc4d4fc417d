/**
 * Start+check cycles per second on the memory store, beside the crypto floor: a loop doing
 * the same phone parsing, random draws, HMACs and AES-GCM sealing that a cycle needs, with
 * no state, store or policy. Prints the ratio (target: the cycle reaches >= 50% of the floor).
 * Run: npm run bench
 */
import { randomBytes } from 'node:crypto';
import { memoryStore } from '../adapters/memory/index';
import { generateCode } from '../src/codes';
import { createVerifier, normalizePhone, NUMERIC_ALPHABET, type Sender } from '../src/index';
import { codeDigest, codeMatches, keyring, phoneKey, seal, unseal } from '../src/secrets';
import { compare, fmt } from './lib/measure';

const secret = 'bench-secret-bench-secret-bench-secret';
let lastCode = '';
const sender: Sender = {
  send: async (m) => {
    lastCode = m.code;
    return { ok: true, messageId: 'm' };
  },
};
let n = 0;
const phones = Array.from({ length: 200_000 }, (_, i) => `+1213${String(2_000_000 + i).padStart(7, "0")}`);
// Generous windows so the benchmark measures the work, not the refusals.
const verifier = createVerifier({
  secret,
  store: memoryStore(),
  sender,
  policy: { sendWindows: [{ windowMs: 60_000, max: 1_000_000 }] },
});

async function cycle(): Promise<void> {
  n += 1;
  const s = await verifier.start({ phone: phones[n % phones.length]! });
  if (s.isErr()) throw new Error(s.error.code);
  const c = await verifier.check({ id: s.value.id, code: lastCode });
  if (c.isErr()) throw new Error(c.error.code);
}

const ring = keyring(secret);
function floor(): void {
  n += 1;
  const phone = normalizePhone(phones[n % phones.length]!)._unsafeUnwrap().number;
  const key = phoneKey(ring, phone);
  const id = key + randomBytes(16).toString('base64url');
  const code = generateCode((k) => randomBytes(k), 6, NUMERIC_ALPHABET);
  const digest = codeDigest(ring.current, id, 'verify', code);
  const sealed = seal(ring, phone, randomBytes(12));
  if (!codeMatches(ring, digest, id, 'verify', code) || unseal(ring, sealed) !== phone) throw new Error('floor');
}

// CPU time: both loops are pure in-process work, so other load on the machine cancels out.
const r = await compare({ 'crypto floor': floor, 'start+check (memory)': cycle }, { clock: 'cpu' });
const ratio = r['start+check (memory)']! / r['crypto floor']!;
console.log(`crypto floor          ${fmt(r['crypto floor']!)} cycles/s`);
console.log(`start+check (memory)  ${fmt(r['start+check (memory)']!)} cycles/s`);
console.log(`ratio                 ${(ratio * 100).toFixed(1)}% of the floor (target >= 50%)`);
