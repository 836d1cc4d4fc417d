/**
 * Runs the `send-code-again` example: `npm run example:send-code-again`, listening on PORT
 * (default 3000). Codes are printed by the console sender. The documented sample's account
 * (ID c2556b9f-5550-423d-bcfa-9422eac2ee24) is on file with the number +1 213 373 4253.
 * @module
 */
import { createSendCodeAgainApp } from './app';

const port = Number(process.env.PORT ?? 3000);
const { app } = createSendCodeAgainApp(
  process.env.PHONEPROOF_SECRET ? { secret: process.env.PHONEPROOF_SECRET } : {},
);
app.listen(port, () => {
  console.log(`POST http://localhost:${port}/api/Account/UpdateSendCodeAgain`);
});
