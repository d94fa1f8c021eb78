// What a client can put in a request, through the real api process: a NUL byte, control
// characters, bidirectional overrides or invisible-only names in any text field, and cursors
// holding dates JavaScript accepts but PostgreSQL cannot read, on every route that takes them.
// Each is the client's mistake (4xx JSON), never a 500; and no value of a refused request
// reaches the api's log.
import { beforeAll, describe, expect, it } from 'vitest';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient, type JsonResponse } from './support/http-client.js';

interface ErrorBody {
  error: { code: string; message: string };
}
interface UserBody {
  user: { id: string; displayName: string };
}

const PASSWORD = 'a long and private passphrase';
const SOME_UUID = '00000000-0000-4000-8000-000000000000';

/** Refused in every text field (inserted into an otherwise valid value). */
const BAD_CHARACTERS: Record<string, string> = {
  'a NUL byte': '\u0000',
  'a C0 control (bell)': '\u0007',
  'an escape sequence': '\u001b[31m',
  'a C1 control': '\u009b',
  DEL: '\u007f',
  'a lone surrogate': '\ud800',
  'a right-to-left override': '\u202e',
};
/** New passwords may hold any character a person can type, but no control character. */
const BAD_PASSWORD_CHARACTERS = Object.fromEntries(
  Object.entries(BAD_CHARACTERS).filter(([label]) => label !== 'a right-to-left override'),
);
/** Names are one line and show something. */
const BAD_NAME_CHARACTERS: Record<string, string> = { ...BAD_CHARACTERS, 'a line feed': '\n' };
const INVISIBLE_NAMES: Record<string, string> = {
  'only zero-width characters': '\u200b\u200c\u200d\u2060',
  'only Hangul fillers': '\u3164\u3164',
  'only combining marks': '\u0301\u0301',
};
const withInside = (valid: string, bad: string) => `${valid.slice(0, 2)}${bad}${valid.slice(2)}`;

const cursor = (text: string) => Buffer.from(text).toString('base64url');
const BAD_CURSORS: Record<string, string> = {
  'year 0': cursor(`0000-01-01T00:00:00.000Z|${SOME_UUID}`),
  'year 275760': cursor(`+275760-09-13T00:00:00.000Z|${SOME_UUID}`),
  'a negative year': cursor(`-000001-01-01T00:00:00.000Z|${SOME_UUID}`),
  'February 30th': cursor(`2024-02-30T00:00:00.000Z|${SOME_UUID}`),
  'another date format': cursor(`Tue, 01 Jan 2024 00:00:00 GMT|${SOME_UUID}`),
  'a malformed id': cursor('2024-01-01T00:00:00.000Z|not-a-uuid'),
  'a NUL byte in the id': cursor(`2024-01-01T00:00:00.000Z|${SOME_UUID}\u0000`),
  'three parts': cursor(`2024-01-01T00:00:00.000Z|${SOME_UUID}|x`),
  'not base64url': 'abc%00def',
};

describe('client input', () => {
  const stack = useApiStack('client-input');
  let owner: HttpClient;
  let orgId: string;
  let partnerOrgId: string;

  beforeAll(async () => {
    owner = new HttpClient(stack.api.url);
    await signUp(owner, { email: 'owner@example.com', password: PASSWORD, displayName: 'Olive' });
    const org = await owner.post<{ organization: { id: string } }>('/orgs', { name: 'Input Co' });
    const partner = await owner.post<{ organization: { id: string } }>('/orgs', { name: 'Partner Co' });
    orgId = org.body.organization.id;
    partnerOrgId = partner.body.organization.id;
  });

  /** A valid body for each route that takes one, and which of its fields are names, free text, new passwords or other strings. */
  const bodyRoutes = () => [
    {
      method: 'POST',
      path: '/auth/signup',
      client: new HttpClient(stack.api.url),
      body: { email: 'new@example.com', password: PASSWORD, displayName: 'Nia' },
      names: ['displayName'],
      strings: ['email'],
      passwords: ['password'],
    },
    {
      method: 'POST',
      path: '/auth/login',
      client: new HttpClient(stack.api.url),
      body: { email: 'owner@example.com', password: PASSWORD },
      strings: ['email'],
    },
    {
      method: 'POST',
      path: '/auth/token',
      client: new HttpClient(stack.api.url),
      body: { email: 'owner@example.com', password: PASSWORD },
      strings: ['email'],
    },
    {
      method: 'POST',
      path: '/auth/verify-email/confirm',
      client: owner,
      body: { token: 'x' },
      strings: ['token'],
    },
    {
      method: 'POST',
      path: '/auth/password-reset/request',
      client: new HttpClient(stack.api.url),
      body: { email: 'owner@example.com' },
      strings: ['email'],
    },
    {
      method: 'POST',
      path: '/auth/password-reset/confirm',
      client: new HttpClient(stack.api.url),
      body: { token: 'x', newPassword: 'another long passphrase' },
      strings: ['token'],
      passwords: ['newPassword'],
    },
    {
      method: 'POST',
      path: '/auth/refresh',
      client: new HttpClient(stack.api.url),
      body: { refreshToken: 'x' },
      strings: ['refreshToken'],
    },
    { method: 'PATCH', path: '/me', client: owner, body: { displayName: 'Olive' }, names: ['displayName'] },
    {
      method: 'POST',
      path: '/me/password',
      client: owner,
      body: { currentPassword: 'not the password', newPassword: 'another long passphrase' },
      passwords: ['newPassword'],
    },
    {
      method: 'POST',
      path: '/orgs',
      client: owner,
      body: { name: 'Fine Name', description: 'Fine' },
      names: ['name'],
      texts: ['description'],
    },
    {
      method: 'PATCH',
      path: `/orgs/${orgId}`,
      client: owner,
      body: { name: 'Input Co', description: 'Fine' },
      names: ['name'],
      texts: ['description'],
    },
    {
      method: 'POST',
      path: `/orgs/${orgId}/invites`,
      client: owner,
      body: { email: 'invitee@example.com', role: 'member' },
      strings: ['email', 'role'],
    },
    { method: 'POST', path: '/invites/accept', client: owner, body: { token: 'x' }, strings: ['token'] },
    {
      method: 'POST',
      path: `/orgs/${orgId}/referrals`,
      client: owner,
      body: {
        toOrganizationId: partnerOrgId,
        candidateName: 'Cara',
        candidateEmail: 'cara@example.com',
        note: 'Fine',
      },
      names: ['candidateName'],
      texts: ['note'],
      strings: ['toOrganizationId', 'candidateEmail'],
    },
  ];

  const expectRefused = (res: JsonResponse<ErrorBody>, what: string) => {
    expect(res.status, what).toBe(400);
    expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
    expect(res.body.error.code, what).toBe('invalid_request');
  };

  it('refuses control characters, overrides and invisible-only names in every text field of every body', async () => {
    for (const route of bodyRoutes()) {
      const send = (field: string, value: string) =>
        route.client.request<ErrorBody>(route.method, route.path, { ...route.body, [field]: value });
      const valid = (field: string) => String((route.body as Record<string, unknown>)[field]);
      const cases = (fields: string[] | undefined, characters: Record<string, string>, whole = {}) =>
        (fields ?? []).flatMap((field) => [
          ...Object.entries(characters).map(([label, bad]) => ({
            field,
            label,
            value: withInside(valid(field), bad),
          })),
          ...Object.entries(whole).map(([label, value]) => ({ field, label, value: value as string })),
        ]);
      for (const { field, label, value } of [
        ...cases(route.names, BAD_NAME_CHARACTERS, INVISIBLE_NAMES),
        ...cases(route.texts, BAD_CHARACTERS),
        ...cases(route.strings, BAD_CHARACTERS),
        ...cases(route.passwords, BAD_PASSWORD_CHARACTERS),
      ]) {
        const what = `${route.method} ${route.path} ${field} with ${label}`;
        const res = await send(field, value);
        expectRefused(res, what);
        expect(res.body.error.message, what).toMatch(new RegExp(`^${field}: `));
      }
    }
  });

  it('never answers 500 for a NUL byte in a sign-in password, a path segment or a query value', async () => {
    const statuses: [string, number][] = [];
    const record = async (what: string, res: Promise<JsonResponse<ErrorBody>>) => {
      const { status, body } = await res;
      statuses.push([what, status]);
      expect(body.error?.code, what).toEqual(expect.any(String));
    };
    await record(
      'login password',
      new HttpClient(stack.api.url).post('/auth/login', {
        email: 'owner@example.com',
        password: 'pass\u0000word',
      }),
    );
    await record(
      'me/password current',
      owner.post('/me/password', {
        currentPassword: 'pass\u0000word',
        newPassword: 'another long passphrase',
      }),
    );
    for (const path of [
      '/orgs/%00',
      `/orgs/${orgId}/members/%00`,
      `/orgs/${orgId}/invites/%00`,
      '/referrals/%00',
      '/referrals/%00/accept',
      '/users/%00',
      '/me/notifications/%00/read',
      '/me/sessions/%00',
      '/admin/queues/%00/dead',
    ]) {
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE'])
        await record(`${method} ${path}`, owner.request(method, path, method === 'GET' ? undefined : {}));
    }
    for (const query of ['direction=%00', 'status=%00', 'limit=%00', 'cursor=%00'])
      await record(`referrals ?${query}`, owner.get(`/orgs/${orgId}/referrals?${query}`));
    await record('admin ?offset=%00', owner.get('/admin/queues/email/dead?offset=%00'));

    for (const [what, status] of statuses) {
      expect(status, what).toBeGreaterThanOrEqual(400);
      expect(status, what).toBeLessThan(500);
    }
  });

  it('refuses cursors JavaScript reads but PostgreSQL cannot, on every paged list', async () => {
    const pagedLists = [
      '/orgs',
      `/orgs/${orgId}/members`,
      `/orgs/${orgId}/invites`,
      `/orgs/${orgId}/referrals`,
      '/me/notifications',
    ];
    for (const path of pagedLists) {
      expect((await owner.get(path)).status, path).toBe(200);
      for (const [label, value] of Object.entries(BAD_CURSORS)) {
        const res = await owner.get<ErrorBody>(`${path}?cursor=${value}`);
        expectRefused(res, `${path} with a cursor of ${label}`);
        expect(res.body.error.message).toBe('cursor: is not a cursor from this api');
      }
    }
  });

  it('keeps accents, emoji and right-to-left scripts, and line breaks in free text', async () => {
    const client = new HttpClient(stack.api.url);
    const user = await signUp(client, {
      email: 'zoe@example.com',
      password: PASSWORD,
      displayName: 'Zoë Ångström 👩🏽‍💻',
    });
    expect(user.displayName).toBe('Zoë Ångström 👩🏽‍💻');
    // Decomposed input (e + combining diaeresis) is stored composed.
    const renamed = await client.patch<UserBody>('/me', { displayName: 'Zoe\u0308' });
    expect(renamed.body.user.displayName).toBe('Zo\u00eb');
    for (const name of ['محمد بن موسى الخوارزمي', 'שרה כהן', 'Ada \u200fمحمد\u200f']) {
      const res = await client.patch<UserBody>('/me', { displayName: name });
      expect(res.status, name).toBe(200);
      expect(res.body.user.displayName).toBe(name);
    }

    const org = await client.post<{ organization: { id: string; name: string; description: string } }>(
      '/orgs',
      {
        name: 'شركة المواهب – Talent Co. 🚀',
        description: 'Line one\n\tLine two\r\nעברית',
      },
    );
    expect(org.status).toBe(201);
    expect(org.body.organization).toMatchObject({
      name: 'شركة المواهب – Talent Co. 🚀',
      description: 'Line one\n\tLine two\r\nעברית',
    });
    const referral = await client.post<{ referral: { candidateName: string } }>(
      `/orgs/${org.body.organization.id}/referrals`,
      { toOrganizationId: orgId, candidateName: 'José Ñúñez-Øre', note: 'Strong.\nHire.' },
    );
    expect(referral.status).toBe(201);
    expect(referral.body.referral.candidateName).toBe('José Ñúñez-Øre');
  });

  it('logged none of the refused values, and no request failed on the server side', () => {
    const output = stack.api.output();
    expect(output).not.toMatch(/"level":50/);
    // The sign-up attempts with a bad display name carried this address and a fresh password hash.
    for (const value of ['new@example.com', 'scrypt$']) expect(output).not.toContain(value);
  });
});
