/**
 * QR codes for `otpauth://` URIs. The renderer is the optional peer dependency `qrcode`,
 * loaded on the first enrollment only (so applications that never enroll an authenticator
 * do not need it), or a function the application passes. Pure computation. @internal
 *
 * `qrcode` is imported through a specifier held in a variable, with the webpack and Vite
 * "ignore" comments, so bundlers (esbuild, webpack, Rollup, Vite, Turbopack) leave the import
 * to run time instead of failing with "Could not resolve qrcode" when it is not installed,
 * or pulling 60 KB into every bundle when it is. A bundled application that wants QR codes
 * passes its own renderer: `qr: (uri) => QRCode.toString(uri, { type: 'svg' })`.
 * @module
 */
import { ResultAsync } from 'neverthrow';
import { type VerifyError, verifyError } from '../errors';

/** `svg` (default): an SVG document; `dataUrl`: a PNG data URL; `false`: no QR code; or your own renderer. */
export type QrOption = 'svg' | 'dataUrl' | false | ((uri: string) => string | Promise<string>);

interface QrModule {
  toString(text: string, options: { type: 'svg'; margin?: number }): Promise<string>;
  toDataURL(text: string, options: { margin?: number }): Promise<string>;
}

let loaded: Promise<QrModule> | undefined;

const QRCODE = 'qrcode';

/** A run-time import that bundlers neither resolve nor warn about (the specifier is a parameter, not a literal). */
function importAtRunTime(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

const MISSING =
  'QR codes need the optional `qrcode` package, which could not be loaded: npm install qrcode. ' +
  'In a bundled application, pass a renderer (totp.qr: (uri) => QRCode.toString(uri, ' +
  "{ type: 'svg' })), or set totp.qr: false and draw the QR code from `uri` yourself.";

/** Loads `qrcode` once; the promise rejects when it is not installed. */
function loadQrcode(): Promise<QrModule> {
  loaded ??= importAtRunTime(QRCODE).then((m) => {
    const mod = ((m as unknown as { default?: QrModule }).default ?? m) as QrModule;
    if (typeof mod.toDataURL !== 'function') throw new Error('qrcode has no toDataURL');
    return mod;
  });
  loaded.catch(() => {
    loaded = undefined; // retry on the next enrollment (the package may be installed later)
  });
  return loaded;
}

/** Renders `uri` as configured; Ok(undefined) when QR codes are off. */
export function renderQr(
  option: QrOption,
  uri: string,
): ResultAsync<string | undefined, VerifyError> {
  if (option === false) return ResultAsync.fromSafePromise(Promise.resolve(undefined));
  if (typeof option === 'function') {
    return ResultAsync.fromThrowable(
      async () => option(uri),
      (e) => verifyError('qr_unavailable', { message: 'The QR renderer failed.', cause: e }),
    )();
  }
  return ResultAsync.fromThrowable(
    () => loadQrcode(),
    (e) => verifyError('qr_unavailable', { message: MISSING, cause: e }),
  )().andThen((qr) =>
    ResultAsync.fromThrowable(
      () =>
        option === 'svg'
          ? qr.toString(uri, { type: 'svg', margin: 2 })
          : qr.toDataURL(uri, { margin: 2 }),
      (e) =>
        verifyError('qr_unavailable', { message: 'The QR code could not be rendered.', cause: e }),
    )(),
  );
}
