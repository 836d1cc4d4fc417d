/**
 * The example's user directory: who may log in, with which password, and the phone that
 * receives their second-factor code. A real tenant keeps this in its user store.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface DemoUser {
  readonly Uid: string;
  readonly UserName: string;
  readonly Email: string;
  readonly FullName: string;
  /** E.164. */
  readonly PhoneId: string;
  readonly password: string;
}

export const demoUsers: readonly DemoUser[] = [
  {
    Uid: '577fabca-a33e-4a08-96e6-0ade8d846613',
    UserName: 'john_doe',
    Email: 'john.doe@example.com',
    FullName: 'John Robert Smith',
    PhoneId: '+12133734253',
    password: 'correct horse battery staple',
  },
];

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The user named by `username` or `email` whose password matches, compared in constant time. */
export function authenticate(
  users: readonly DemoUser[],
  login: unknown,
  password: unknown,
): DemoUser | undefined {
  if (typeof login !== 'string' || typeof password !== 'string') return undefined;
  const user = users.find((u) => u.UserName === login || u.Email === login);
  const ok = timingSafeEqual(digest(user?.password ?? '\u0000'), digest(password));
  return user && ok ? user : undefined;
}

/** The Profile object of a successful login, limited to `fields` when given. */
export function profileOf(user: DemoUser, fields: string | undefined): Record<string, unknown> {
  const full: Record<string, unknown> = {
    Uid: user.Uid,
    ID: user.Uid,
    UserName: user.UserName,
    FullName: user.FullName,
    Email: [{ Type: 'Primary', Value: user.Email }],
    PhoneId: user.PhoneId,
    PhoneIdVerified: true,
  };
  if (!fields) return full;
  const wanted = new Set(fields.split(',').map((f) => f.trim().toLowerCase()));
  return Object.fromEntries(Object.entries(full).filter(([k]) => wanted.has(k.toLowerCase())));
}
