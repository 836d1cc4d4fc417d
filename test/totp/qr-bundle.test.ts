/**
 * Bundlers need no configuration for the optional `qrcode`: esbuild bundling the TOTP
 * feature for Node, with `qrcode` unresolvable (as when it is not installed), succeeds and
 * leaves the import to run time, with webpack's and Vite's ignore comments kept.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('qrcode and bundlers', () => {
  it('esbuild bundles the TOTP feature without resolving qrcode', async () => {
    const asked: string[] = [];
    const result = await build({
      entryPoints: ['src/totp/qr.ts'],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      plugins: [
        {
          name: 'qrcode-not-installed',
          setup(b) {
            b.onResolve({ filter: /^qrcode$/ }, (a) => {
              asked.push(a.path);
              return { errors: [{ text: 'Could not resolve "qrcode"' }] };
            });
          },
        },
      ],
    });
    expect(asked).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).toMatch(/import\(\s*\/\* webpackIgnore: true \*\/\s*\/\* @vite-ignore \*\//);
    expect(code).not.toMatch(/toSJIS|getSymbolSize/); // nothing of qrcode's own code
  });
});
