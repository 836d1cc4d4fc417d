/**
 * `npm start`: serves the phone-verification demo on http://localhost:3000 (PORT changes
 * it). Codes are printed here, in the terminal, as the SMS would read.
 */
import { startDemo } from './app';

const demo = await startDemo({ port: Number(process.env.PORT ?? 3000) });
console.log(`phoneproof demo on ${demo.url}  (codes are printed below; Ctrl+C stops)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void demo.close().then(() => process.exit(0));
  });
}
