/**
 * Setup for mutation runs only (vitest.mutate.config.ts): one fixed fast-check seed.
 * `@fast-check/vitest` names each property test with its seed and draws a new seed per load,
 * so without this the test names Stryker recorded never match in a mutant's run and property
 * tests are silently left out of every mutation score.
 * @module
 */
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: 42 });
