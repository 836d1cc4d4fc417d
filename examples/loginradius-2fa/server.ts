/**
 * Runs the `loginradius-2fa` example: `npm run example:loginradius-2fa`, listening on PORT
 * (default 3000). Codes are printed by the console sender. API key: `demo-tenant-api-key`
 * (or LR_API_KEY); user `john_doe`, password `correct horse battery staple`.
 * @module
 */
import { createLoginRadiusApp } from './app';

const port = Number(process.env.PORT ?? 3000);
const { app } = createLoginRadiusApp({
  ...(process.env.LR_API_KEY ? { apiKey: process.env.LR_API_KEY } : {}),
  ...(process.env.PHONEPROOF_SECRET ? { secret: process.env.PHONEPROOF_SECRET } : {}),
});
await app.listen({ port, host: '127.0.0.1' });
console.log(`PUT http://localhost:${port}/identity/v2/auth/login/2fa/sms`);
