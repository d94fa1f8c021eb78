import { recordSpans, useRedis, waitFor } from '@rnh/test-utils';
import { describe, expect, it } from 'vitest';
import { instance, recordingSink, testKeys } from './helpers.js';

const spans = recordSpans();
const redis = useRedis();
const WAIT = { timeoutMs: 20_000 };

describe('delivery traces', () => {
  it('record one realtime.deliver span per live event and process, linked to the publish, for all the user’s connections', async () => {
    const app = instance(redis, testKeys());
    const tabs = [recordingSink(), recordingSink('websocket'), recordingSink()];
    for (const tab of tabs) await (await app.hub.admit({ userId: 'ada' })).open(tab.sink);
    spans.reset();

    await app.feed.publish('ada', 'notification', { text: 'traced' });
    await waitFor(() => tabs.every((tab) => tab.events().length === 1), WAIT);
    await waitFor(() => spans.getFinishedSpans().some((span) => span.name === 'realtime.deliver'), WAIT);
    const finished = spans.getFinishedSpans();
    const publish = finished.find((span) => span.name === 'realtime.publish')!;
    const delivers = finished.filter((span) => span.name === 'realtime.deliver');
    expect(delivers).toHaveLength(1);
    expect(delivers[0]!.links.map((link) => link.context.spanId)).toEqual([publish.spanContext().spanId]);
    expect(delivers[0]!.attributes).toMatchObject({
      'realtime.event.type': 'notification',
      'realtime.connections': 3,
    });
  });
});
