/**
 * `npm start`: serves the phone-verification demo on http://localhost:3000 (PORT changes
 * it). Codes are printed here, in the terminal, as the SMS would read. Records are kept in
 * `.data/demo.sqlite` (DEMO_DATABASE changes it): a restart keeps them.
 */
import { DEMO_DATABASE, startDemo } from './app';

const database = process.env.DEMO_DATABASE ?? DEMO_DATABASE;
const demo = await startDemo({ port: Number(process.env.PORT ?? 3000), database });
console.log(`phoneproof demo on ${demo.url}  (codes are printed below; Ctrl+C stops)`);
console.log(`records kept in ${database}: restarting keeps pending codes and consent records`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void demo.close().then(() => process.exit(0));
  });
}
