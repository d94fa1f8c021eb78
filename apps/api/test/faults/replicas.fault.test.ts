// Two api and two worker replicas, as docker-compose.scale.yml runs them: the api replicas behind
// HAProxy with the shipped haproxy.cfg, on one PostgreSQL and one Redis; the workers send mail
// through an SMTP relay that takes 300 ms per message, so mail jobs are always in flight.
// While users sign up (each sign-up enqueues a verification mail), sign in and read their
// profile, one api replica gets SIGTERM (a rolling deploy) and then, while jobs are running, one
// worker SIGKILL (a crashed node). The test prints what users saw per second and checks that no
// request went unanswered and no acknowledged job was lost.
import {
  startRedisServer,
  startSmtpSink,
  waitFor,
  type RedisServerHandle,
  type SmtpSink,
} from '@rnh/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../db/support/postgres.js';
import { describeDelivery, smtpPerRecipient, waitForDelivery } from './delivered-mail.js';
import { FaultLoad } from './fault-load.js';
import { startFaultStack, type FaultStack } from './fault-stack.js';
import { startHaproxy, type HaproxyHandle } from './haproxy.js';

const LOAD_AFTER_FAULT_MS = 12_000;
/** How long the relay takes to accept a message: a worker killed now is in the middle of jobs. */
const SMTP_ACCEPT_MS = 300;

let redis: RedisServerHandle;
let relay: SmtpSink;
let database: TestDatabase;
let stack: FaultStack;
let proxy: HaproxyHandle;

beforeAll(async () => {
  redis = await startRedisServer({ appendOnly: true });
  database = await createTestDatabase();
  relay = await startSmtpSink({ acceptDelayMs: SMTP_ACCEPT_MS });
  stack = await startFaultStack(
    'replicas',
    {
      REDIS_URL: redis.url,
      DATABASE_URL: database.url,
      API_TRUST_PROXY: 'loopback',
      SMTP_URL: relay.url,
      // As docker-compose.scale.yml sets it: longer than HAProxy takes to see /ready fail twice.
      API_SHUTDOWN_DRAIN_MS: '5000',
    },
    { apis: 2, workers: 2 },
  );
  proxy = await startHaproxy(stack.apis.map((api) => Number(new URL(api.url).port)));
});

afterAll(async () => {
  await proxy?.stop();
  await stack?.stop();
  await database?.drop();
  await relay?.close();
  await redis?.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('api and worker replicas behind the shipped HAProxy config', () => {
  it(
    'an api replica stopped mid-request and a worker killed mid-job lose no request and no job',
    { timeout: 600_000 },
    async () => {
      const load = new FaultLoad({ baseUrl: proxy.url, users: 8 });
      await sleep(8_000);

      const [stopped, remaining] = stack.apis;
      load.mark('api-1 SIGTERM');
      const exiting = stopped!.stop('SIGTERM');
      // Draining: still serving, but no longer ready, so the proxy takes it out.
      const readyWhileDraining = (await fetch(`${stopped!.url}/ready`)).status;
      const apiExit = await exiting;
      load.mark(`api-1 exited (code ${apiExit.code})`);
      await waitFor(async () => (await proxy.replicaStates())['api-1'] !== 'UP', {
        timeoutMs: 30_000,
        what: 'HAProxy to take api-1 out',
      });
      load.mark('HAProxy: api-1 down');
      await sleep(LOAD_AFTER_FAULT_MS / 2);

      // BullMQ's list of the email jobs being worked on, by either worker.
      const admin = new Redis({ host: redis.host, port: redis.port });
      const activeKey = `${stack.env.REDIS_KEY_PREFIX}queue:{email}:email:active`;
      const activeAtKill = await waitFor(async () => admin.llen(activeKey), {
        timeoutMs: 30_000,
        what: 'mail jobs in flight',
      });
      admin.disconnect();
      load.mark(`worker-1 SIGKILL (${activeAtKill} mail jobs in flight)`);
      await stack.workers[0]!.stop('SIGKILL');
      await sleep(LOAD_AFTER_FAULT_MS);
      await load.stop();

      // The killed worker's jobs are taken over once their locks expire; waitForDelivery waits.
      const delivery = await waitForDelivery(() => smtpPerRecipient(relay), load.acknowledgedSignups);
      const totals = load.totals();
      console.log(
        [
          'Replicas under load (2 api behind HAProxy with deploy/haproxy/haproxy.cfg, 2 workers, PostgreSQL, Redis, an SMTP relay taking 300 ms per message)',
          ...load.report(),
          `api-1 after SIGTERM: /ready ${readyWhileDraining} while draining, exit code ${apiExit.code}; api-2 still serving: ${remaining!.url}`,
          `${describeDelivery(delivery)} (a job the killed worker had handed to the relay is run again: at least once)`,
        ].join('\n'),
      );

      expect(readyWhileDraining).toBe(503);
      expect(apiExit.code).toBe(0);
      expect(totals['5xx'] + totals.failed).toBe(0);
      expect(delivery.lost).toEqual([]);
      expect(load.acknowledgedSignups.length).toBeGreaterThan(0);
    },
  );
});
