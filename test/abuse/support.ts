/** Helpers for the abuse tests: valid numbers laid out by prefix, and outcome tallies. */
import type { Result } from 'neverthrow';
import type { VerifyError } from '../../src/index';
import { normalizePhone } from '../../src/phone';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

const AREA_CODES = [
  '201',
  '202',
  '203',
  '205',
  '206',
  '207',
  '208',
  '209',
  '210',
  '212',
  '213',
  '214',
  '215',
  '216',
  '217',
  '218',
  '219',
  '224',
  '225',
  '228',
  '229',
  '231',
  '234',
  '239',
  '240',
  '248',
  '251',
  '252',
  '253',
  '254',
  '256',
  '260',
  '262',
  '267',
  '269',
  '270',
  '301',
  '302',
  '303',
  '304',
  '305',
  '307',
  '308',
  '309',
  '310',
  '312',
  '313',
  '314',
  '315',
  '316',
  '317',
  '318',
];

function valid(n: string): boolean {
  const r = normalizePhone(n);
  return r.isOk() && r.value.number === n;
}

/** `n` valid US numbers, each in a different million-number block (distinct coarse prefixes). */
export function spreadNumbers(n: number, line = '4253'): string[] {
  const out: string[] = [];
  for (const npa of AREA_CODES) {
    for (let d = 2; d <= 9 && out.length < n; d += 1) {
      const num = `+1${npa}${d}73${line}`;
      if (valid(num)) out.push(num);
    }
    if (out.length >= n) break;
  }
  if (out.length < n) throw new Error(`only ${out.length} spread numbers available`);
  return out;
}

/** `n` valid numbers sharing one ten-thousand block (+1 213 373 xxxx). */
export function blockNumbers(n: number, base = '+1213373'): string[] {
  return Array.from({ length: n }, (_, i) => `${base}${String(1000 + i).padStart(4, '0')}`).filter(
    valid,
  );
}

/** `n` valid numbers in one million block (+1 2133 xx xxxx) but distinct ten-thousand blocks. */
export function coarseNumbers(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `+12133${String(i).padStart(2, '0')}4253`).filter(
    valid,
  );
}

/** `code/scope` of a refusal, or `ok`. */
export function outcome(r: Result<unknown, VerifyError>): string {
  return r.isOk() ? 'ok' : `${r.error.code}${r.error.scope ? `/${r.error.scope}` : ''}`;
}

export function tally(rs: ReadonlyArray<Result<unknown, VerifyError>>): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of rs) t[outcome(r)] = (t[outcome(r)] ?? 0) + 1;
  return t;
}
