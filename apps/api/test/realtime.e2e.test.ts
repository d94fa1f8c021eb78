// Live events end to end: two api instances and the worker on one Redis and one PostgreSQL, real
// browsers' transports (server-sent events with the session cookie, WebSocket), presence across
// instances, and what a client that was away, an attacker or a crashed instance meets.
import { openSse, openWebSocket, waitFor, type SseClient } from '@rnh/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db/support/postgres.js';
import { startApiProcess, type ApiProcess } from './support/api-env.js';
import { signUp, useApiStack } from './support/api-stack.js';
import { HttpClient } from './support/http-client.js';

const WAIT = { timeoutMs: 30_000 };

describe('live events across two api instances and the worker', () => {
  // Filled before the stack starts: both instances share this PostgreSQL database.
  const env: Record<string, string> = { REALTIME_PRESENCE_TTL_SECONDS: '3' };
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    env.DATABASE_URL = database.url;
  });
  const stack = useApiStack('realtime', { worker: true, env });
  let first: ApiProcess;
  let second: ApiProcess;
  beforeAll(async () => {
    first = stack.api;
    second = await startApiProcess(stack.env);
  });
  afterAll(async () => {
    await second?.stop();
    await database?.drop();
  });

  const member = async (api: ApiProcess, email: string, displayName: string) => {
    const client = new HttpClient(api.url);
    const user = await signUp(client, { email, password: 'correct horse battery', displayName });
    return { client, user, cookie: `sid=${client.cookie('sid')}` };
  };
  const createOrg = async (client: HttpClient, name: string) =>
    (await client.post<{ organization: { id: string } }>('/orgs', { name, description: '' })).body
      .organization;
  const refer = async (client: HttpClient, fromId: string, toId: string, candidateName: string) => {
    const made = await client.post<{ referral: { id: string } }>(`/orgs/${fromId}/referrals`, {
      toOrganizationId: toId,
      candidateName,
      candidateEmail: 'candidate@example.com',
    });
    expect(made.status).toBe(201);
    return made.body.referral.id;
  };
  const isReady = (stream: SseClient) => stream.frames.some((frame) => frame.event === 'ready');
  const notifications = (stream: SseClient) =>
    stream.frames
      .filter((frame) => frame.event === 'notification')
      .map((frame) => (JSON.parse(frame.data) as { data: { message: string } }).data.message);

  it('an event published on one instance reaches a client of the other, over SSE and WebSocket', async () => {
    const sam = await member(first, 'sam@example.com', 'Sam');
    const rita = await member(second, 'rita@example.com', 'Rita');
    const from = await createOrg(sam.client, 'Sender Org');
    const to = await createOrg(rita.client, 'Receiver Org');

    const stream = await openSse(`${second.url}/events`, { cookie: rita.cookie });
    const socket = await openWebSocket(`${second.url.replace('http', 'ws')}/ws`, {
      headers: { cookie: rita.cookie },
    });
    await waitFor(() => isReady(stream) && socket.messages.some((message) => message.type === 'ready'), WAIT);

    await refer(sam.client, from.id, to.id, 'Ada Lovelace');
    const expected = 'Sender Org referred Ada Lovelace to Receiver Org.';
    await waitFor(() => notifications(stream).length === 1, WAIT);
    expect(notifications(stream)).toEqual([expected]);
    // Two events, published on their own paths (the notification's job, the referral's status):
    // either may come first.
    const live = () => socket.messages.filter((message) => message.type === 'event');
    await waitFor(() => live().length >= 2, WAIT);
    expect(
      live()
        .map((message) => message.event)
        .sort(),
    ).toEqual(['notification', 'referral.updated']);
    expect(live().find((message) => message.event === 'notification')?.data).toMatchObject({
      kind: 'referral_created',
      message: expected,
    });
    stream.close();
    socket.close();
  });

  it('a client that reconnects with Last-Event-ID receives exactly the events it missed, in order, on any instance', async () => {
    const sam = await member(first, 'sam2@example.com', 'Sam');
    const rita = await member(first, 'rita2@example.com', 'Rita');
    const from = await createOrg(sam.client, 'Sender Two');
    const to = await createOrg(rita.client, 'Receiver Two');

    const before = await openSse(`${first.url}/events`, { cookie: rita.cookie });
    await waitFor(() => isReady(before), WAIT);
    await refer(sam.client, from.id, to.id, 'First');
    await waitFor(() => notifications(before).length === 1, WAIT);
    const cursor = before.lastEventId()!;
    before.close();

    // Away: three referrals are made and handled.
    for (const name of ['Second', 'Third', 'Fourth']) await refer(sam.client, from.id, to.id, name);
    await waitFor(async () => {
      const listed = await rita.client.get<{ items: unknown[] }>('/me/notifications');
      return listed.body.items.length === 4;
    }, WAIT);

    const after = await openSse(`${second.url}/events`, { cookie: rita.cookie, 'last-event-id': cursor });
    await waitFor(() => isReady(after), WAIT);
    await refer(sam.client, from.id, to.id, 'Fifth');
    await waitFor(() => notifications(after).length === 4, WAIT);
    const message = (name: string) => `Sender Two referred ${name} to Receiver Two.`;
    const received = notifications(after);
    // The three missed ones (their jobs run concurrently, so the feed may hold them in any
    // order), each once, then the live one.
    expect(received.slice(0, 3).sort()).toEqual(['Second', 'Third', 'Fourth'].map(message).sort());
    expect(received[3]).toBe(message('Fifth'));
    // In the feed's order: stream ids only ever grow.
    const ids = after.frames.filter((frame) => frame.event === 'notification').map((frame) => frame.id!);
    const streamOrder = (a: string, b: string) => {
      const [aMs, aSeq] = a.split('-').map(BigInt);
      const [bMs, bSeq] = b.split('-').map(BigInt);
      return aMs! === bMs! ? Number(aSeq! - bSeq!) : Number(aMs! - bMs!);
    };
    expect([...ids].sort(streamOrder)).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
    after.close();
  });

  it('shows who of an organization is online to its members, across instances, and forgets a crashed instance’s users', async () => {
    const owner = await member(first, 'owner3@example.com', 'Olive');
    const outsider = await member(first, 'outsider3@example.com', 'Otto');
    const org = await createOrg(owner.client, 'Presence Org');
    const online = async () =>
      (
        await owner.client.get<{ count: number; online: Array<{ userId: string }> }>(
          `/orgs/${org.id}/presence`,
        )
      ).body;
    expect(await online()).toEqual({ count: 0, online: [] });
    expect((await outsider.client.get(`/orgs/${org.id}/presence`)).status).toBe(403);

    // Connected to the second instance; asked on the first.
    const stream = await openSse(`${second.url}/events`, { cookie: owner.cookie });
    await waitFor(() => isReady(stream), WAIT);
    expect(await online()).toEqual({ count: 1, online: [{ userId: owner.user.id }] });
    stream.close();
    await waitFor(async () => (await online()).count === 0, WAIT);

    // The second instance dies without a word: its user is online until the 3 s TTL runs out.
    const again = await openSse(`${second.url}/events`, { cookie: owner.cookie });
    await waitFor(() => isReady(again), WAIT);
    expect((await online()).count).toBe(1);
    await second.stop('SIGKILL');
    await waitFor(async () => (await online()).count === 0, WAIT);
    second = await startApiProcess(stack.env);
  });

  it('refuses unauthenticated and cross-site connections before any event is sent', async () => {
    const ada = await member(first, 'ada4@example.com', 'Ada');
    const anonymous = await fetch(`${first.url}/events`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });

    const ws = `${first.url.replace('http', 'ws')}/ws`;
    expect((await openWebSocket(ws)).refused?.status).toBe(401);
    const crossSite = await openWebSocket(ws, {
      headers: { cookie: ada.cookie, origin: 'https://evil.example' },
    });
    expect(crossSite.refused?.status).toBe(403);
    const sameSite = await openWebSocket(ws, {
      headers: { cookie: ada.cookie, origin: new URL(first.url).origin },
    });
    expect(sameSite.refused).toBeUndefined();
    sameSite.close();
    const forged = await fetch(`${first.url}/events`, {
      headers: { cookie: ada.cookie, 'last-event-id': 'not-an-id' },
    });
    expect(forged.status).toBe(400);
  });

  it('the worker tells a user live when the mail they asked for is sent', async () => {
    const ada = await member(first, 'ada5@example.com', 'Ada');
    const stream = await openSse(`${first.url}/events`, { cookie: ada.cookie });
    await waitFor(() => isReady(stream), WAIT);
    expect((await ada.client.post('/me/verify-email')).status).toBe(202);
    await waitFor(() => stream.frames.some((frame) => frame.event === 'mail.status'), WAIT);
    const status = stream.frames.find((frame) => frame.event === 'mail.status')!;
    expect(JSON.parse(status.data)).toMatchObject({
      data: { template: 'email_verification', status: 'sent' },
    });
    stream.close();
  });
});
