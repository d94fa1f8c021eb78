import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventFeed, Presence, RealtimeHub, sseHandler } from '@rnh/realtime';
import { Redis } from 'ioredis';
import { z } from 'zod';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
const subscriber = redis.duplicate(); // pub/sub needs a connection of its own
const feed = new EventFeed({ redis }, { events: { notification: z.object({ text: z.string() }) } });
const presence = new Presence({ redis });
const hub = new RealtimeHub({ redis, subscriber }, { feed, presence });

// GET /events: the signed-in user's live events as server-sent events (your app checks its own cookie or token).
const server = createServer(
  sseHandler(hub, {
    authenticate: (req) => (req.headers.authorization === 'Bearer demo' ? { userId: 'ada' } : null),
  }),
);
server.listen(0);
await once(server, 'listening');
const url = `http://localhost:${(server.address() as AddressInfo).port}/events`;

// A client (a browser would use EventSource): once it is `ready`, an event published anywhere reaches it.
const response = await fetch(url, { headers: { authorization: 'Bearer demo' } });
let buffer = '';
let received = false;
for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
  buffer += chunk;
  const frames = buffer.split('\n\n');
  buffer = frames.pop()!;
  for (const frame of frames) {
    const event = /^event: (.*)$/m.exec(frame)?.[1];
    if (event === 'ready') await feed.publish('ada', 'notification', { text: 'Your referral was accepted' });
    if (event === 'notification') {
      console.log(event, JSON.parse(/^data: (.*)$/m.exec(frame)![1]!).data);
      console.log('ada online:', await presence.isOnline('ada'));
      received = true;
    }
  }
  if (received) break;
}

await hub.drain(); // on shutdown: clients are told to reconnect elsewhere
server.close();
subscriber.disconnect();
await redis.quit();
