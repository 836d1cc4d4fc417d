/**
 * Runs the `phone-verification-request` example: `npm run example:phone-verification-request`,
 * listening on PORT (default 3000). Codes are printed by the console sender. Bearer token
 * `demo-mobile-app-token`; system `mobile-app` (see `signPhoneVerificationRequest`).
 * @module
 */
import { createPhoneVerificationApp } from './app';

const port = Number(process.env.PORT ?? 3000);
const { app } = createPhoneVerificationApp(
  process.env.PHONEPROOF_SECRET ? { secret: process.env.PHONEPROOF_SECRET } : {},
);
await app.listen({ port, host: '127.0.0.1' });
console.log(`POST http://localhost:${port}/phoneverification/request/{FullPhoneNumber}/{Path}`);
