/**
 * Small validators of the abuse options: each throws a `TypeError` naming the option's path.
 * @internal
 * @module
 */
import { MAX_DURATION } from './defaults';
import type { Limit } from './window';

export function fail(path: string, message: string): never {
  throw new TypeError(`phoneproof: abuse.${path} ${message}`);
}

export function int(path: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, `must be an integer from ${min} to ${max} (got ${String(v)}).`);
  }
  return v;
}

export function num(path: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail(path, `must be a number from ${min} to ${max} (got ${String(v)}).`);
  }
  return v;
}

export function limits(path: string, v: unknown): Limit[] {
  if (!Array.isArray(v)) fail(path, 'must be an array of { windowMs, max }.');
  return v.map((l: Partial<Limit>, i) => ({
    windowMs: int(`${path}[${i}].windowMs`, l?.windowMs, 1000, MAX_DURATION),
    max: int(`${path}[${i}].max`, l?.max, 1, 10_000_000),
  }));
}
