/**
 * A fake WhatsApp Cloud API (`POST /{version}/{phone-number-id}/messages`) on 127.0.0.1. It
 * checks each request the way Meta documents an authentication template send (Bearer token,
 * JSON, `messaging_product`, `to` as digits, `type: template`, an approved template's name
 * and language, the code in the body parameter and in the URL button's parameter, the
 * `biz_opaque_callback_data` length), records anything off in `violations`, and answers with
 * Meta's documented bodies: `{ messaging_product, contacts, messages: [{ id }] }` or
 * `{ error: { message, type, code, error_subcode?, fbtrace_id } }`.
 */
import { randomBytes } from 'node:crypto';
import { type RecordedRequest, type Reply, startFakeServer } from './server';

export interface WhatsAppFakeOptions {
  readonly accessToken: string;
  readonly phoneNumberId: string;
  readonly apiVersion: string;
  /** Approved authentication templates: `name/language`, e.g. `verification_code/en_US`. */
  readonly templates: readonly string[];
}

/** Meta's Graph API error body. */
export function metaError(status: number, code: number, message: string, subcode?: number): Reply {
  return {
    status,
    body: {
      error: {
        message,
        type: 'OAuthException',
        code,
        ...(subcode !== undefined ? { error_subcode: subcode } : {}),
        error_data: { messaging_product: 'whatsapp', details: message },
        fbtrace_id: randomBytes(8).toString('base64url'),
      },
    },
  };
}

export const META_ERRORS = {
  expiredToken: metaError(
    401,
    190,
    'Error validating access token: Session has expired on Tuesday, 01-Jan-30 00:00:00 PST.',
    463,
  ),
  undeliverable: metaError(400, 131026, '(#131026) Message Undeliverable.'),
  pairRateLimit: metaError(
    400,
    131056,
    '(#131056) (Business Account, Consumer Account) pair rate limit hit',
  ),
  throughput: metaError(400, 130429, '(#130429) Rate limit hit'),
  noTemplate: metaError(404, 132001, '(#132001) Template name does not exist in the translation'),
  invalidParameter: metaError(400, 100, '(#100) Invalid parameter'),
  serverError: metaError(500, 131000, '(#131000) Something went wrong'),
} as const;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problem with a template send, or `undefined` when it is as Meta documents it. */
function checkSend(body: Json, templates: readonly string[]): string | undefined {
  const allowed = [
    'messaging_product',
    'recipient_type',
    'to',
    'type',
    'template',
    'biz_opaque_callback_data',
  ];
  for (const k of Object.keys(body)) if (!allowed.includes(k)) return `unexpected field ${k}`;
  if (body.messaging_product !== 'whatsapp') return 'messaging_product must be "whatsapp"';
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual')
    return 'recipient_type';
  if (typeof body.to !== 'string' || !/^[1-9]\d{6,14}$/.test(body.to)) return 'to must be digits';
  if (body.type !== 'template') return 'type must be "template"';
  const ref = body.biz_opaque_callback_data;
  if (ref !== undefined && (typeof ref !== 'string' || ref.length > 512)) {
    return 'biz_opaque_callback_data must be a string of at most 512 characters';
  }
  const t = body.template;
  if (!isObj(t) || typeof t.name !== 'string' || !isObj(t.language)) return 'template shape';
  if (!templates.includes(`${t.name}/${String(t.language.code)}`)) return 'template not approved';
  const components = t.components;
  if (!Array.isArray(components) || components.length !== 2) return 'components: body and button';
  const [b, button] = components as Json[];
  const param = (c: Json | undefined) => {
    const p = c?.parameters;
    return Array.isArray(p) && p.length === 1 && isObj(p[0]) && p[0].type === 'text'
      ? (p[0].text as unknown)
      : undefined;
  };
  if (b?.type !== 'body') return 'components[0] must be the body';
  const code = param(b);
  if (typeof code !== 'string' || code.length > 15)
    return 'body needs one text parameter (the code, at most 15 characters)';
  if (button?.type !== 'button' || button.sub_type !== 'url' || String(button.index) !== '0') {
    return 'components[1] must be the button, sub_type url, index 0';
  }
  if (param(button) !== code) return 'the button parameter must be the code';
  return undefined;
}

export async function startWhatsAppFake(o: WhatsAppFakeOptions) {
  const violations: string[] = [];
  const path = `/${o.apiVersion}/${o.phoneNumberId}/messages`;
  const server = await startFakeServer((req: RecordedRequest) => {
    if (req.method !== 'POST' || req.url !== path) {
      violations.push(`${req.method} ${req.url}`);
      return metaError(400, 100, 'Unsupported post request.');
    }
    if (req.headers.authorization !== `Bearer ${o.accessToken}`) return META_ERRORS.expiredToken;
    if (req.headers['content-type'] !== 'application/json') {
      violations.push(`content-type ${req.headers['content-type']}`);
      return META_ERRORS.invalidParameter;
    }
    const body = JSON.parse(req.body) as Json;
    const problem = checkSend(body, o.templates);
    if (problem) {
      violations.push(problem);
      return META_ERRORS.invalidParameter;
    }
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: body.to, wa_id: body.to }],
        messages: [
          {
            id: `wamid.${randomBytes(24).toString('base64url')}`,
            message_status: 'accepted',
          },
        ],
      },
    };
  });
  return { ...server, violations, json: (i: number) => JSON.parse(server.requests[i]!.body) };
}

export type WhatsAppFake = Awaited<ReturnType<typeof startWhatsAppFake>>;
