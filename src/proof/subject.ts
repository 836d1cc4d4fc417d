/**
 * Moved to `src/feature/subject.ts` (proofs and authenticator apps share it); kept here for
 * the imports that name this path. @internal
 * @module
 */
export * from '../feature/subject';
