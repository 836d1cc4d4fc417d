/**
 * Consent and authenticator apps are separate imports (`phoneproof/consent`,
 * `phoneproof/totp`, issue 16): the options of phoneproof 0.1 (`consent: { ledger }`) throw
 * with the line to write instead; absent, the features answer "not configured"; and a bundle
 * of `createVerifier` with `memoryStore` holds none of their code.
 */
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { memoryConsentLedger, memoryStore } from '../../adapters/memory/index';
import { sourceAliases } from '../../scripts/entries';
import { backendSourcesPlugin } from '../../scripts/internal-imports.mjs';
import { consent } from '../../src/consent/index';
import { createVerifier } from '../../src/index';
import { outboxSender } from '../../src/senders/outbox';
import { totp } from '../../src/totp/index';

const base = () => ({
  secret: 'optional-features-secret-0123456789abcdef',
  store: memoryStore(),
  sender: outboxSender(),
});

describe('the options of phoneproof 0.1 throw with the migration', () => {
  it('`consent: { ledger }` names `consent({ ledger })` from phoneproof/consent', () => {
    const old = { ledger: memoryConsentLedger() };
    expect(() => createVerifier({ ...base(), consent: old as never })).toThrow(
      "`consent: consent({ ledger, ... })`, with `import { consent } from 'phoneproof/consent'`",
    );
  });

  it('`totp: { ... }` names `totp({ ... })` from phoneproof/totp', () => {
    for (const old of [{ issuer: 'Acme', qr: false }, {}, true]) {
      expect(() => createVerifier({ ...base(), totp: old as never })).toThrow(
        "`totp: totp({ issuer, ... })`, with `import { totp } from 'phoneproof/totp'`",
      );
    }
  });

  it("one feature's value in the other's place throws too", () => {
    expect(() =>
      createVerifier({ ...base(), totp: consent({ ledger: memoryConsentLedger() }) as never }),
    ).toThrow(/phoneproof\/totp/);
  });
});

describe('the features validate their options when made', () => {
  it('consent() and totp() throw at once, before any verifier', () => {
    expect(() => consent(undefined as never)).toThrow(/consent\(options\)/);
    expect(() => consent({ ledger: {} as never })).toThrow(/ConsentLedger port/);
    expect(() => totp({ digits: 5 })).toThrow(/totp\.digits/);
    expect(() => totp({ issuer: 'a:b' })).toThrow(/totp\.issuer/);
  });

  it("totp's default issuer, the verifier's appName, is checked when the verifier is built", () => {
    const feature = totp();
    expect(() => createVerifier({ ...base(), appName: 'a:b', totp: feature })).toThrow(
      /totp\.issuer/,
    );
    expect(() => createVerifier({ ...base(), appName: 'a:b' })).not.toThrow();
  });
});

describe('absent features', () => {
  it('verifier.totp answers "not configured"; invalidate has no authenticator codes to revoke', async () => {
    const v = createVerifier(base());
    const subject = 'user-1';
    for (const r of [
      await v.totp.enroll({ subject }),
      await v.totp.verify({ subject, token: '123456' }),
      await v.totp.status({ subject }),
    ]) {
      expect(r._unsafeUnwrapErr()).toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining("`totp: totp()` (from 'phoneproof/totp')"),
      });
    }
    expect((await v.invalidate({ subject }))._unsafeUnwrap()).toMatchObject({ totp: false });
  });

  it('verifier.consent answers "not configured" with the new spelling', async () => {
    const v = createVerifier(base());
    expect(v.consent.enabled).toBe(false);
    expect(
      (await v.consent.status({ phone: '+12133734253' }))._unsafeUnwrapErr().message,
    ).toContain("`consent: consent({ ledger })` (from 'phoneproof/consent')");
  });
});

const root = resolve(import.meta.dirname, '../..');

/** phoneproof's own source files with bytes in a minified bundle of `entry` (esbuild metafile). */
async function bundledSources(entry: string): Promise<string[]> {
  const aliases = sourceAliases();
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['worker', 'browser'],
    metafile: true,
    external: ['libphonenumber-js', 'neverthrow', '@noble/*', 'qrcode'],
    plugins: [
      {
        name: 'phoneproof-sources',
        setup(b) {
          b.onResolve({ filter: /^phoneproof(\/.*)?$/ }, (a) => ({
            path: join(root, aliases[a.path]!),
          }));
        },
      },
      backendSourcesPlugin(['worker', 'browser']),
    ],
    tsconfigRaw: {},
    logLevel: 'error',
  });
  const meta: Metafile = result.metafile;
  return Object.values(meta.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([file]) => file),
  );
}

const CORE = `import { createVerifier } from 'phoneproof';
import { memoryStore } from 'phoneproof/memory';
export const verifier = createVerifier({ secret: 'x'.repeat(32), store: memoryStore() });`;

const feature = /^src\/(totp|consent)\//;

describe('bundle (esbuild metafile)', () => {
  it('createVerifier + memoryStore holds no TOTP or consent code', async () => {
    const files = await bundledSources(CORE);
    expect(files).toContain('src/verifier/create.ts');
    expect(files.filter((f) => feature.test(f))).toEqual([]);
  });

  it('with consent(...) and totp(...) imported, their code is in (the check above can fail)', async () => {
    const files = await bundledSources(`${CORE}
import { consent } from 'phoneproof/consent';
import { totp } from 'phoneproof/totp';
export const features = [consent, totp];`);
    expect(files).toEqual(
      expect.arrayContaining([
        'src/totp/feature.ts',
        'src/consent/feature.ts',
        'src/consent/chain.ts',
      ]),
    );
  });
});
