/**
 * The formats the reference page lists for `AccountModel`: JSON (`application/json`,
 * `text/json`), XML (`application/xml`, `text/xml`, DataContract names in the ASP.NET
 * serializer's namespace) and form bodies (`application/x-www-form-urlencoded`); answers in
 * JSON or XML by Web API's content negotiation. JSON and form member names match without
 * regard to case (the ASP.NET binders'); XML names are exact (DataContractSerializer's).
 * @module
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { bindNames, readForm } from '../aspnet/form';
import { answerType, mediaType, negotiate } from '../aspnet/negotiate';
import {
  type DataContractName,
  readDataContract,
  writeDataContract,
  writeHttpError,
  type XmlValue,
} from '../aspnet/xml';

export const ACCOUNT_MODEL: DataContractName = {
  root: 'AccountModel',
  namespace: 'http://schemas.datacontract.org/2004/07/ArtSolutions.ReqStudio.Core.SecurityModels',
};

/** The members of AccountModel this endpoint reads; the others are accepted and ignored. */
export interface AccountModelInput {
  readonly ID?: unknown;
  readonly SecurityCode?: unknown;
}
const READ = ['ID', 'SecurityCode'] as const;

const JSON_TYPES = ['application/json', 'text/json'];
const TEXT_TYPES = ['application/xml', 'text/xml', 'application/x-www-form-urlencoded'];
export const ACCEPTED_TYPES = [...JSON_TYPES, ...TEXT_TYPES];

/** Body parsers, each bounded to 16 KB (the XML sample is about 1.6 KB). */
export const bodyParsers: RequestHandler[] = [
  express.json({ limit: '16kb', type: JSON_TYPES }),
  express.text({ limit: '16kb', type: TEXT_TYPES }),
];

/**
 * The request's AccountModel; a string says why it cannot be read (answer 400), `415` that
 * its content type is not one the page lists.
 */
export function readAccountModel(req: Request): AccountModelInput | string | 415 {
  const type = mediaType(req.headers['content-type']);
  const body: unknown = req.body;
  if (type === 'application/xml' || type === 'text/xml') {
    const members = readDataContract(String(body ?? ''), ACCOUNT_MODEL);
    return typeof members === 'string'
      ? members
      : { ID: members.ID, SecurityCode: members.SecurityCode };
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = readForm(String(body ?? ''));
    return typeof form === 'string' ? form : bindNames(form, READ);
  }
  if (!JSON_TYPES.includes(type)) return 415;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'The body must be an AccountModel object.';
  }
  return bindNames(body as Record<string, unknown>, READ);
}

/** Answers `fields` as JSON or XML: an AccountModel on success, an HttpError on a refusal. */
export function answer(
  req: Request,
  res: Response,
  status: number,
  fields: Readonly<Record<string, XmlValue>>,
): void {
  const accept = req.headers.accept;
  const format = negotiate(accept, req.headers['content-type']);
  res.status(status).type(answerType(format, accept));
  if (format === 'json') {
    res.send(JSON.stringify(fields));
    return;
  }
  res.send('Message' in fields ? writeHttpError(fields) : writeDataContract(ACCOUNT_MODEL, fields));
}
