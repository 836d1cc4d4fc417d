/**
 * A fake Twilio REST API (Messages and Calls) on 127.0.0.1. It checks each request the way
 * Twilio documents it (path, Basic auth, form encoding, every field), records anything off
 * in `violations`, answers with Twilio's documented resource and error bodies, and honours
 * Twilio's magic test numbers (+15005550001 invalid, ...0002 unroutable, ...0003 no
 * permission for the region, ...0004 unsubscribed, ...0009 not a mobile). WhatsApp messages
 * (`To=whatsapp:+…`) need a registered WhatsApp sender and an approved Content API template
 * whose variables `ContentVariables` fills exactly, and no `Body`.
 */
import { randomBytes } from 'node:crypto';
import { formFields, type RecordedRequest, type Reply, startFakeServer } from './server';

export interface TwilioFakeOptions {
  readonly accountSid: string;
  /** Accepted Basic-auth password (auth token or API key secret). */
  readonly authToken: string;
  /** Basic-auth user when an API key is used (default the Account SID). */
  readonly username?: string;
  /** Senders the account owns (numbers, short codes, alphanumeric ids). */
  readonly numbers: readonly string[];
  readonly messagingServiceSid?: string;
  /** WhatsApp senders (E.164) registered on the account. */
  readonly whatsappNumbers?: readonly string[];
  /** Approved Content API templates (`HX...`) and the variables each takes. */
  readonly contents?: Readonly<Record<string, readonly string[]>>;
}

/** Twilio's error body. */
export function twilioError(code: number, status: number, message: string): Reply {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

export const TWILIO_ERRORS = {
  invalidTo: twilioError(21211, 400, "The 'To' number +15005550001 is not a valid phone number."),
  notMobile: twilioError(21614, 400, "'To' number is not a valid mobile number"),
  unsubscribed: twilioError(21610, 400, 'Attempt to send to unsubscribed recipient'),
  regionNotPermitted: twilioError(
    21408,
    400,
    "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003.",
  ),
  unroutable: twilioError(
    21612,
    400,
    "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number via SMS.",
  ),
  auth: twilioError(20003, 401, 'Authentication Error - invalid username'),
  tooManyRequests: (retryAfterSeconds?: number): Reply => ({
    ...twilioError(20429, 429, 'Too Many Requests'),
    ...(retryAfterSeconds !== undefined
      ? { headers: { 'retry-after': String(retryAfterSeconds) } }
      : {}),
  }),
  serverError: twilioError(20500, 500, 'Internal Server Error'),
  notFound: (path: string) =>
    twilioError(20404, 404, `The requested resource ${path} was not found`),
} as const;

const MAGIC: Readonly<Record<string, Reply>> = {
  '+15005550001': TWILIO_ERRORS.invalidTo,
  '+15005550002': TWILIO_ERRORS.unroutable,
  '+15005550003': TWILIO_ERRORS.regionNotPermitted,
  '+15005550004': TWILIO_ERRORS.unsubscribed,
  '+15005550009': TWILIO_ERRORS.notMobile,
};

const E164 = /^\+[1-9]\d{6,14}$/;
const hex = (n: number) => randomBytes(n).toString('hex');

export async function startTwilioFake(o: TwilioFakeOptions) {
  const violations: string[] = [];
  const base = `/2010-04-01/Accounts/${o.accountSid}`;
  const auth = `Basic ${Buffer.from(`${o.username ?? o.accountSid}:${o.authToken}`).toString('base64')}`;

  const violation = (what: string): Reply => {
    violations.push(what);
    return twilioError(21000, 400, `fake: ${what}`);
  };

  function single(fields: Map<string, string[]>, allowed: readonly string[]): string | undefined {
    for (const [k, v] of fields) {
      if (!allowed.includes(k)) return `unexpected field ${k}`;
      if (v.length !== 1) return `field ${k} repeated`;
    }
    return undefined;
  }

  /** A WhatsApp message: whatsapp: addresses and an approved Content API template. */
  function whatsapp(fields: Map<string, string[]>): Reply {
    const get = (k: string) => fields.get(k)?.[0];
    const [to, from, service, sid] = ['To', 'From', 'MessagingServiceSid', 'ContentSid'].map(get);
    if (!/^whatsapp:\+[1-9]\d{6,14}$/.test(to ?? '')) return violation(`To ${to}`);
    if (get('Body') !== undefined) return violation('Body sent with a WhatsApp template');
    if ((from === undefined) === (service === undefined)) {
      return violation('exactly one of From and MessagingServiceSid must be given');
    }
    if (service !== undefined && service !== o.messagingServiceSid) {
      return twilioError(21701, 404, `The Messaging Service Sid ${service} is invalid.`);
    }
    if (from !== undefined && !o.whatsappNumbers?.includes(from.replace(/^whatsapp:/, ''))) {
      return twilioError(
        63007,
        400,
        'Twilio could not find a Channel with the specified From address',
      );
    }
    const variables = sid !== undefined ? o.contents?.[sid] : undefined;
    if (variables === undefined) return twilioError(21655, 400, 'The ContentSid is Invalid.');
    let values: unknown;
    try {
      values = JSON.parse(get('ContentVariables') ?? '');
    } catch {
      return twilioError(21656, 400, 'The ContentVariables Parameter is invalid.');
    }
    const keys = Object.keys((values ?? {}) as object).sort();
    if (keys.join() !== [...variables].sort().join()) {
      return twilioError(21656, 400, 'The ContentVariables Parameter is invalid.');
    }
    const magic = MAGIC[to!.replace(/^whatsapp:/, '')];
    if (magic) return magic;
    const msid = `MM${hex(16)}`;
    return {
      status: 201,
      body: {
        account_sid: o.accountSid,
        sid: msid,
        status: service ? 'accepted' : 'queued',
        to,
        from: from ?? null,
        body: '',
      },
    };
  }

  function message(fields: Map<string, string[]>): Reply {
    const sms = ['To', 'From', 'MessagingServiceSid', 'Body', 'StatusCallback'];
    const bad = single(fields, [...sms, 'ContentSid', 'ContentVariables']);
    if (bad) return violation(bad);
    if (fields.get('To')?.[0]?.startsWith('whatsapp:')) return whatsapp(fields);
    if (fields.has('ContentSid') || fields.has('ContentVariables')) {
      return violation('ContentSid on an SMS (this fake takes templates on WhatsApp only)');
    }
    const to = fields.get('To')?.[0];
    const from = fields.get('From')?.[0];
    const service = fields.get('MessagingServiceSid')?.[0];
    const body = fields.get('Body')?.[0];
    const callback = fields.get('StatusCallback')?.[0];
    if (to === undefined) return twilioError(21604, 400, "A 'To' phone number is required.");
    if (!E164.test(to)) return violation(`To is not E.164: ${to}`);
    if ((from === undefined) === (service === undefined)) {
      return violation('exactly one of From and MessagingServiceSid must be given');
    }
    if (from !== undefined && !o.numbers.includes(from)) {
      return twilioError(
        21606,
        400,
        `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      );
    }
    if (service !== undefined && service !== o.messagingServiceSid) {
      return twilioError(21701, 404, `The Messaging Service Sid ${service} is invalid.`);
    }
    if (body === undefined || body === '')
      return twilioError(21602, 400, 'Message body is required.');
    if ([...body].length > 1600) {
      return twilioError(
        21617,
        400,
        'The concatenated message body exceeds the 1600 character limit.',
      );
    }
    if (callback !== undefined && !/^https?:\/\//.test(callback)) {
      return violation(`StatusCallback is not an absolute URL: ${callback}`);
    }
    const magic = MAGIC[to];
    if (magic) return magic;
    const sid = `SM${hex(16)}`;
    return {
      status: 201,
      body: {
        account_sid: o.accountSid,
        api_version: '2010-04-01',
        body,
        date_created: new Date().toUTCString(),
        date_sent: null,
        date_updated: new Date().toUTCString(),
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: from ?? null,
        messaging_service_sid: service ?? null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'USD',
        sid,
        status: service ? 'accepted' : 'queued',
        to,
        uri: `${base}/Messages/${sid}.json`,
      },
    };
  }

  function call(fields: Map<string, string[]>): Reply {
    const bad = single(fields, ['To', 'From', 'Twiml', 'StatusCallback']);
    if (bad) return violation(bad);
    const to = fields.get('To')?.[0];
    const from = fields.get('From')?.[0];
    const twiml = fields.get('Twiml')?.[0];
    if (to === undefined) return twilioError(21201, 400, "No 'To' number is specified");
    if (from === undefined) return twilioError(21213, 400, "No 'From' number is specified");
    if (!E164.test(to)) return twilioError(21217, 400, 'Phone number does not appear to be valid');
    if (!o.numbers.includes(from)) {
      return twilioError(
        21210,
        400,
        `The source phone number provided, ${from}, is not yet verified for your account.`,
      );
    }
    if (twiml === undefined) return twilioError(21205, 400, 'Url parameter is required.');
    if (twiml.length > 4000) return violation('Twiml longer than 4000 characters');
    if (!/^(<\?xml[^>]*\?>)?<Response>[\s\S]*<\/Response>$/.test(twiml)) {
      return violation('Twiml is not a <Response> document');
    }
    const sid = `CA${hex(16)}`;
    return {
      status: 201,
      body: {
        sid,
        account_sid: o.accountSid,
        to,
        from,
        status: 'queued',
        direction: 'outbound-api',
        uri: `${base}/Calls/${sid}.json`,
      },
    };
  }

  const server = await startFakeServer((req: RecordedRequest) => {
    const path = req.url.split('?')[0]!;
    if (req.method !== 'POST') return violation(`method ${req.method}`);
    if (req.headers.authorization !== auth) return TWILIO_ERRORS.auth;
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return violation(`content-type ${req.headers['content-type']}`);
    }
    const fields = formFields(req.body);
    if (path === `${base}/Messages.json`) return message(fields);
    if (path === `${base}/Calls.json`) return call(fields);
    return TWILIO_ERRORS.notFound(path);
  });

  return { ...server, violations, fields: (i: number) => formFields(server.requests[i]!.body) };
}

export type TwilioFake = Awaited<ReturnType<typeof startTwilioFake>>;
