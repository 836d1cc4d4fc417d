/**
 * Runs the `send-verification-code` example: `npm run example:send-verification-code`,
 * listening on PORT (default 3000). Codes are printed by the console sender. National numbers
 * are read in PHONEPROOF_DEFAULT_REGION (ISO alpha-2, default US).
 * @module
 */
import { createSendVerificationCodeApp } from './app';

const port = Number(process.env.PORT ?? 3000);
const { app } = createSendVerificationCodeApp({
  ...(process.env.PHONEPROOF_SECRET ? { secret: process.env.PHONEPROOF_SECRET } : {}),
  ...(process.env.PHONEPROOF_DEFAULT_REGION
    ? { defaultRegion: process.env.PHONEPROOF_DEFAULT_REGION }
    : {}),
});
app.listen(port, () => {
  console.log(`POST http://localhost:${port}/api/Lead/SendVerificationCode`);
});
