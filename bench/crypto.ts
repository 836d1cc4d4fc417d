/**
 * Per-operation cost of the two crypto backends (src/crypto), each as a ratio to Node's
 * native `node:crypto` called directly (as src/ did before the crypto module) in the same
 * run: HMAC-SHA256 of a code digest's input, SHA-256, AES-256-GCM seal and open of a phone
 * number, the whole base64url code digest, and 16 random bytes.
 * `node bench/lib/run.mjs bench/crypto.ts [ms per round]`. CPU clock, medians of 5 rounds.
 */
import * as native from 'node:crypto';
import type { CryptoBackend } from '../src/crypto';
import { toBase64Url } from '../src/crypto/encoding';
import { backend as nobleBackend } from '../src/crypto/noble';
import { backend as node } from '../src/crypto/node';
import { compare, fmt } from './lib/measure';

const ms = Number(process.argv[2] ?? 400);
const key = native.randomBytes(32);
const iv = native.randomBytes(12);
const aad = Buffer.from('phoneproof:phone-number');
const text =
  'code\u0000AQIDBAUGBwgJCgsMNHI3HJk06DFR4N0mglJO_9Q4h-zo6GpE7t12czV0sjKceNM\u0000verify\u0000123456';
const phone = Buffer.from('+12133734253');

const nativeSeal = () => {
  const c = native.createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(phone), c.final()]);
  return { ciphertext: ct, tag: c.getAuthTag() };
};
const sealed = nativeSeal();

type Op = (b: CryptoBackend) => () => unknown;
const OPS: Record<string, { native: () => unknown; ours: Op }> = {
  'hmac-sha256 (bytes)': {
    native: () => native.createHmac('sha256', key).update(text).digest(),
    ours: (b) => () => b.hmac('sha256', key, text),
  },
  'code digest (base64url)': {
    native: () => native.createHmac('sha256', key).update(text).digest('base64url'),
    ours: (b) => () =>
      b.hmacText
        ? b.hmacText('sha256', key, text, 'base64url')
        : toBase64Url(b.hmac('sha256', key, text)),
  },
  sha256: {
    native: () => native.createHash('sha256').update(text).digest(),
    ours: (b) => () => b.hash('sha256', text),
  },
  'aes-256-gcm seal': { native: nativeSeal, ours: (b) => () => b.gcmSeal(key, iv, phone, aad) },
  'aes-256-gcm open': {
    native: () => {
      const d = native.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
      d.setAAD(aad);
      d.setAuthTag(sealed.tag);
      return Buffer.concat([d.update(sealed.ciphertext), d.final()]);
    },
    ours: (b) => () => b.gcmOpen(key, iv, sealed.ciphertext, sealed.tag, aad),
  },
  'random 16 bytes': {
    native: () => native.randomFillSync(new Uint8Array(16)),
    ours: (b) => () => b.randomFill(new Uint8Array(16)),
  },
};

console.log(
  `crypto backends, ops/s (CPU clock, median of 5 rounds of ${ms} ms), Node ${process.version}`,
);
console.log('operation                 | node:crypto direct | node backend      | noble backend');
for (const [name, op] of Object.entries(OPS)) {
  const r = await compare(
    { native: op.native, node: op.ours(node), noble: op.ours(nobleBackend) },
    { rounds: 5, ms, clock: 'cpu' },
  );
  const cell = (k: 'node' | 'noble') =>
    `${fmt(r[k]!).padStart(10)} (${(r[k]! / r.native!).toFixed(2)}x)`;
  console.log(
    `${name.padEnd(25)} | ${fmt(r.native!).padStart(18)} | ${cell('node')} | ${cell('noble')}`,
  );
}
