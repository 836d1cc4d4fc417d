/**
 * Reads `VerificationRequestDTO` as ASP.NET's binders would: JSON (`application/json`,
 * `text/json`) or a form (`application/x-www-form-urlencoded`), member names without regard
 * to case, numbers given as strings (`"3"`, as forms always and the DTO's own sample
 * sometimes write them). Values are still validated: an integer
 * member takes only a whole number in .NET's `int` range, a boolean only true or false.
 * @module
 */
import { bindNames, readForm } from '../aspnet/form';
import { mediaType } from '../aspnet/negotiate';
import type { VerificationRequest } from './dto';

const INTEGERS = ['UserId', 'LeadId', 'VerificationType', 'OptInMessageVersion'] as const;
const STRINGS = ['PhoneNo', 'Code', 'OptInMessageContent'] as const;
const BOOLEANS = ['IsOptInConsent'] as const;
const NAMES = [...INTEGERS, ...STRINGS, ...BOOLEANS];

export const JSON_TYPES = ['application/json', 'text/json'];
export const FORM_TYPE = 'application/x-www-form-urlencoded';

const INT32 = 2 ** 31;

/** An `int` member: a number, or a string of one, in range; `undefined` when absent. */
function integer(v: unknown): number | undefined | false {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' && /^\s*[+-]?\d{1,10}\s*$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= -INT32 && n < INT32 ? n : false;
}

function boolean(v: unknown): boolean | undefined | null {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  return s === 'true' ? true : s === 'false' ? false : null;
}

function string(v: unknown): string | undefined | false {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : false;
}

/** Checks and converts the bound members; a message names the first that is wrong. */
function convert(b: Readonly<Record<string, unknown>>): VerificationRequest | string {
  if (typeof b.PhoneNo !== 'string' || b.PhoneNo.trim() === '') return 'PhoneNo is required.';
  const out: Record<string, unknown> = {};
  for (const f of INTEGERS) {
    const v = integer(b[f]);
    if (v === false) return `${f} must be an integer.`;
    if (v !== undefined) out[f] = v;
  }
  for (const f of STRINGS) {
    const v = string(b[f]);
    if (v === false) return `${f} must be a string.`;
    if (v !== undefined) out[f] = v;
  }
  for (const f of BOOLEANS) {
    const v = boolean(b[f]);
    if (v === null) return `${f} must be a boolean.`;
    if (v !== undefined) out[f] = v;
  }
  return out as unknown as VerificationRequest;
}

/**
 * The request, from a parsed JSON body or a form's text; a message says what is wrong
 * (answer 400), `415` that the content type is not one the page lists.
 */
export function bindRequest(
  body: unknown,
  contentType: string | undefined,
): VerificationRequest | string | 415 {
  let members: unknown = body;
  if (mediaType(contentType) === FORM_TYPE) {
    members = readForm(typeof body === 'string' ? body : '');
    if (typeof members === 'string') return members;
  } else if (!JSON_TYPES.includes(mediaType(contentType))) {
    return 415;
  }
  if (typeof members !== 'object' || members === null || Array.isArray(members)) {
    return 'The body must be a VerificationRequestDTO object.';
  }
  const bound = bindNames(members as Record<string, unknown>, NAMES);
  return typeof bound === 'string' ? bound : convert(bound);
}
