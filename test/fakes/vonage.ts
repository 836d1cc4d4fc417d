/**
 * A fake Vonage SMS API (`POST /sms/json`) and Voice API (`POST /v1/calls`) on 127.0.0.1.
 * SMS requests are checked field by field (credentials, `to` without `+`, `type=unicode`
 * exactly when the text needs UCS-2...) and answered with Vonage's documented bodies
 * (HTTP 200 with a per-message `status`). Call requests must carry an RS256 application JWT
 * that verifies against the application's public key, and a well-formed NCCO. Messages API
 * requests (`POST /v1/messages`, WhatsApp) take Basic auth or that JWT and must carry an
 * approved authentication template as a `custom` message, the code in the body and the URL
 * button; they are answered 202 `{ message_uuid }` or an RFC 7807 problem.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import { isGsm7 } from '../../src/messages/sms-encoding';
import { formFields, type RecordedRequest, type Reply, startFakeServer } from './server';

export interface VonageFakeOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** WhatsApp (Messages API): the number and the approved templates (`name/language`). */
  readonly whatsappNumber?: string;
  readonly whatsappTemplates?: readonly string[];
  /** Voice: the application and its public key (SPKI PEM). */
  readonly applicationId?: string;
  readonly publicKey?: string;
}

/** A documented SMS API error response (HTTP 200, non-zero status). */
export function vonageSmsError(status: string, errorText: string): Reply {
  return {
    status: 200,
    body: { 'message-count': '1', messages: [{ status, 'error-text': errorText }] },
  };
}

export const VONAGE_ERRORS = {
  throttled: vonageSmsError('1', 'Throughput Rate Exceeded - please wait [ 10 ] and retry'),
  missing: (param: string) => vonageSmsError('2', `Missing ${param} param`),
  badCredentials: vonageSmsError('4', 'Bad Credentials'),
  internal: vonageSmsError('5', 'Internal Error'),
  invalidMessage: vonageSmsError('6', 'Unroutable message - rejected'),
  barred: vonageSmsError('7', 'Number barred'),
  quota: vonageSmsError('9', 'Quota Exceeded - rejected'),
  deactivated: vonageSmsError('33', 'Number de-activated'),
  unauthorized: {
    status: 401,
    body: {
      type: 'https://developer.nexmo.com/api-errors#unauthorized',
      title: 'Unauthorized',
      detail: 'You did not provide correct credentials.',
      instance: 'bf0ca0bf927b3b52e3cb03217e1a1ddf',
    },
  } satisfies Reply,
  voiceBadRequest: {
    status: 400,
    body: {
      type: 'https://developer.nexmo.com/api-errors/voice#bad-request',
      title: 'Bad Request',
      invalid_parameters: [{ name: 'to', reason: 'Invalid phone number' }],
    },
  } satisfies Reply,
  serverError: { status: 500, body: { title: 'Internal Server Error' } } satisfies Reply,
  messagesInvalid: (detail: string): Reply => ({
    status: 422,
    body: {
      type: 'https://developer.vonage.com/api-errors/messages#1150',
      title: 'Invalid params',
      detail,
      instance: 'bf0ca0bf927b3b52e3cb03217e1a1ddf',
    },
  }),
  lowBalance: {
    status: 402,
    body: {
      type: 'https://developer.vonage.com/api-errors/#low-balance',
      title: 'Low balance',
      detail: 'This request could not be performed due to your account balance being low.',
      instance: 'bf0ca0bf927b3b52e3cb03217e1a1ddf',
    },
  } satisfies Reply,
} as const;

const SMS_FIELDS = [
  'api_key',
  'api_secret',
  'from',
  'to',
  'text',
  'type',
  'client-ref',
  'callback',
];

export async function startVonageFake(o: VonageFakeOptions) {
  const violations: string[] = [];
  const violation = (what: string): Reply => {
    violations.push(what);
    return vonageSmsError('3', `fake: ${what}`);
  };
  const publicKey = o.publicKey ? await importSPKI(o.publicKey, 'RS256') : undefined;
  const jwtClaims: Record<string, unknown>[] = [];

  function sms(req: RecordedRequest): Reply {
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return violation(`content-type ${req.headers['content-type']}`);
    }
    const f = formFields(req.body);
    for (const [k, v] of f) {
      if (!SMS_FIELDS.includes(k)) return violation(`unexpected field ${k}`);
      if (v.length !== 1) return violation(`field ${k} repeated`);
    }
    const get = (k: string) => f.get(k)?.[0];
    for (const p of ['api_key', 'api_secret', 'from', 'to', 'text']) {
      if (!get(p)) return VONAGE_ERRORS.missing(p);
    }
    if (get('api_key') !== o.apiKey || get('api_secret') !== o.apiSecret) {
      return VONAGE_ERRORS.badCredentials;
    }
    const to = get('to')!;
    if (!/^[1-9]\d{6,14}$/.test(to)) return violation(`to must be digits without +: ${to}`);
    const text = get('text')!;
    const type = get('type');
    if (type !== undefined && type !== 'text' && type !== 'unicode')
      return violation(`type ${type}`);
    if (!isGsm7(text) && type !== 'unicode')
      return violation('UCS-2 text sent without type=unicode');
    const ref = get('client-ref');
    if (ref !== undefined && ref.length > 100) return violation('client-ref longer than 100');
    const callback = get('callback');
    if (callback !== undefined && !/^https?:\/\//.test(callback)) return violation('callback URL');
    return {
      status: 200,
      body: {
        'message-count': '1',
        messages: [
          {
            to,
            'message-id': randomBytes(8).toString('hex').toUpperCase(),
            status: '0',
            'remaining-balance': '3.14159265',
            'message-price': '0.03330000',
            network: '12345',
            ...(ref !== undefined ? { 'client-ref': ref } : {}),
          },
        ],
      },
    };
  }

  async function calls(req: RecordedRequest): Promise<Reply> {
    const authz = req.headers.authorization ?? '';
    if (!publicKey || !authz.startsWith('Bearer ')) return VONAGE_ERRORS.unauthorized;
    try {
      const { payload, protectedHeader } = await jwtVerify(authz.slice(7), publicKey, {
        algorithms: ['RS256'],
      });
      if (payload.application_id !== o.applicationId) return VONAGE_ERRORS.unauthorized;
      if (typeof payload.iat !== 'number' || typeof payload.jti !== 'string') {
        return VONAGE_ERRORS.unauthorized;
      }
      jwtClaims.push({ ...payload, alg: protectedHeader.alg });
    } catch {
      return VONAGE_ERRORS.unauthorized;
    }
    if (req.headers['content-type'] !== 'application/json') {
      violations.push(`content-type ${req.headers['content-type']}`);
      return VONAGE_ERRORS.voiceBadRequest;
    }
    const body = JSON.parse(req.body) as Record<string, unknown>;
    const problems = checkCall(body);
    if (problems) {
      violations.push(problems);
      return VONAGE_ERRORS.voiceBadRequest;
    }
    return {
      status: 201,
      body: {
        uuid: randomUUID(),
        status: 'started',
        direction: 'outbound',
        conversation_uuid: `CON-${randomUUID()}`,
      },
    };
  }

  async function messages(req: RecordedRequest): Promise<Reply> {
    const authz = req.headers.authorization ?? '';
    const basic = `Basic ${Buffer.from(`${o.apiKey}:${o.apiSecret}`).toString('base64')}`;
    if (authz !== basic) {
      if (!publicKey || !authz.startsWith('Bearer ')) return VONAGE_ERRORS.unauthorized;
      try {
        const { payload } = await jwtVerify(authz.slice(7), publicKey, { algorithms: ['RS256'] });
        if (payload.application_id !== o.applicationId) return VONAGE_ERRORS.unauthorized;
        jwtClaims.push(payload);
      } catch {
        return VONAGE_ERRORS.unauthorized;
      }
    }
    const problem =
      req.headers['content-type'] !== 'application/json'
        ? `content-type ${req.headers['content-type']}`
        : checkWhatsApp(JSON.parse(req.body), o);
    if (problem) {
      violations.push(problem);
      return VONAGE_ERRORS.messagesInvalid(problem);
    }
    return { status: 202, body: { message_uuid: randomUUID() } };
  }

  const server = await startFakeServer(async (req) => {
    const path = req.url.split('?')[0];
    if (req.method === 'POST' && path === '/v1/messages') return messages(req);
    if (req.method === 'POST' && path === '/sms/json') return sms(req);
    if (req.method === 'POST' && path === '/v1/calls') return calls(req);
    violations.push(`${req.method} ${path}`);
    return { status: 404, body: { title: 'Not Found' } };
  });
  return {
    ...server,
    violations,
    jwtClaims,
    fields: (i: number) => formFields(server.requests[i]!.body),
  };
}

/** The problem with a WhatsApp authentication template send, or `undefined`. */
function checkWhatsApp(body: Record<string, unknown>, o: VonageFakeOptions): string | undefined {
  const allowed = ['to', 'from', 'channel', 'message_type', 'custom', 'client_ref'];
  for (const k of Object.keys(body)) if (!allowed.includes(k)) return `unexpected field ${k}`;
  if (body.channel !== 'whatsapp') return 'channel must be whatsapp';
  if (body.message_type !== 'custom') return 'a template with buttons is message_type custom';
  if (!/^[1-9]\d{6,14}$/.test(String(body.to))) return 'to must be digits without +';
  if (body.from !== o.whatsappNumber) return `from ${String(body.from)} is not the WhatsApp number`;
  const ref = body.client_ref;
  if (ref !== undefined && (typeof ref !== 'string' || ref.length > 100)) return 'client_ref';
  const custom = body.custom as { type?: unknown; template?: Record<string, unknown> } | undefined;
  const t = custom?.template;
  if (custom?.type !== 'template' || !t) return 'custom must be { type: template, template }';
  const lang = t.language as { policy?: unknown; code?: unknown } | undefined;
  if (lang?.policy !== 'deterministic') return 'language.policy must be deterministic';
  if (!o.whatsappTemplates?.includes(`${String(t.name)}/${String(lang.code)}`)) {
    return 'template not approved';
  }
  const c = t.components as Array<Record<string, unknown>> | undefined;
  const text = (x: Record<string, unknown> | undefined) =>
    (x?.parameters as Array<{ type?: unknown; text?: unknown }> | undefined)?.[0]?.text;
  if (!Array.isArray(c) || c.length !== 2 || c[0]?.type !== 'body') return 'components';
  if (c[1]?.type !== 'button' || c[1]?.sub_type !== 'url' || c[1]?.index !== '0') {
    return 'components[1] must be the URL button at index "0"';
  }
  if (typeof text(c[0]) !== 'string' || text(c[0]) !== text(c[1])) {
    return 'the code must be the body and the button parameter';
  }
  return undefined;
}

/** The problem with a create-call body, or `undefined` when it is as documented. */
function checkCall(body: Record<string, unknown>): string | undefined {
  const allowed = ['to', 'from', 'ncco', 'event_url'];
  for (const k of Object.keys(body)) if (!allowed.includes(k)) return `unexpected field ${k}`;
  const to = body.to as Array<Record<string, unknown>> | undefined;
  if (!Array.isArray(to) || to.length !== 1) return 'to must be a one-element array';
  if (to[0]?.type !== 'phone' || !/^[1-9]\d{6,14}$/.test(String(to[0]?.number))) {
    return 'to[0] must be { type: "phone", number: digits }';
  }
  const from = body.from as Record<string, unknown> | undefined;
  if (from?.type !== 'phone' || !/^[1-9]\d{6,14}$/.test(String(from?.number))) {
    return 'from must be { type: "phone", number: digits }';
  }
  const ncco = body.ncco as Array<Record<string, unknown>> | undefined;
  if (!Array.isArray(ncco) || ncco.length === 0) return 'ncco must be a non-empty array';
  for (const a of ncco) {
    if (a.action !== 'talk' || typeof a.text !== 'string' || typeof a.language !== 'string') {
      return 'ncco actions must be talk actions with text and language';
    }
  }
  if (body.event_url !== undefined) {
    const e = body.event_url as unknown[];
    if (!Array.isArray(e) || e.length !== 1 || !/^https?:\/\//.test(String(e[0]))) {
      return 'event_url must be an array of one URL';
    }
  }
  return undefined;
}

export type VonageFake = Awaited<ReturnType<typeof startVonageFake>>;
