// @rnh/queue: throughput, failures, wait and processing time, depth, oldest age, stalls, dead letters.
import { buildDashboard } from '../dashboard.js';
import { latency, stat, timeseries } from '../panels.js';
import { increaseOverRange, rate, sel } from '../promql.js';
import { labelVariable } from '../variables.js';

const Q = sel('queue=~"$queue"');
/** Depth gauges are sampled by every worker instance: one value per queue and state. */
const depth = (states: string) => `max by (queue, state) (queue_jobs{${Q}, state=~"${states}"})`;
const perQueue = (metric: string) => `sum by (queue) (${rate(metric, Q)})`;

export const queues = () =>
  buildDashboard({
    uid: 'rnh-queues',
    title: 'RNH / Queues and worker',
    description:
      'Job queues (@rnh/queue on BullMQ): the api enqueues, the worker processes. Throughput, failures, wait and processing time, depth, oldest waiting job, stalls and dead letters. `job_name` is the job type.',
    tags: ['queue', 'worker'],
    variables: [labelVariable('queue', 'queue', 'queue_jobs{app=~"$app"}', 'Queue')],
    rows: [
      {
        title: 'Overview',
        panels: [
          stat({
            title: 'Waiting jobs',
            description: 'Jobs ready to run, selected queues.',
            query: { expr: `sum (max by (queue) (queue_jobs{${Q}, state="waiting"}))` },
          }),
          stat({
            title: 'Oldest waiting job',
            description: 'How long the oldest ready job has waited. Alert above 5 minutes.',
            query: { expr: `max (queue_oldest_waiting_job_age_seconds{${Q}})` },
            unit: 's',
            steps: [
              { value: 60, color: 'orange' },
              { value: 300, color: 'red' },
            ],
          }),
          stat({
            title: 'Dead letters kept',
            description: 'Jobs in the dead-letter store, waiting to be retried or purged.',
            query: { expr: `sum (max by (queue) (queue_jobs{${Q}, state="dead"}))` },
            steps: [{ value: 1, color: 'orange' }],
          }),
          stat({
            title: 'Failed attempts (time range)',
            description: 'Attempts whose handler threw (each try counts).',
            query: { expr: `sum (${increaseOverRange('queue_jobs_failed_total', Q)})` },
            noValue: '0',
          }),
        ],
      },
      {
        title: 'Throughput and failures',
        panels: [
          timeseries({
            title: 'Enqueued, completed, failed',
            description: 'Jobs per second by queue: enqueued (api), completed and failed attempts (worker).',
            unit: 'ops',
            queries: [
              { expr: perQueue('queue_jobs_enqueued_total'), legend: 'enqueued {{queue}}' },
              { expr: perQueue('queue_jobs_completed_total'), legend: 'completed {{queue}}' },
              { expr: perQueue('queue_jobs_failed_total'), legend: 'failed {{queue}}' },
            ],
          }),
          timeseries({
            title: 'Completed by job',
            description: 'Completed jobs per second by queue and job type.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (queue, job_name) (${rate('queue_jobs_completed_total', Q)})`,
                legend: '{{queue}} {{job_name}}',
              },
            ],
          }),
          timeseries({
            title: 'Retries and stalls',
            description:
              'Failed attempts scheduled again, and jobs taken back from a worker that lost its lock (crash, kill, blocked loop).',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (queue, job_name) (${rate('queue_jobs_retried_total', Q)})`,
                legend: 'retried {{queue}} {{job_name}}',
              },
              {
                expr: `sum by (queue, job_name) (${rate('queue_jobs_stalled_total', Q)})`,
                legend: 'stalled {{queue}} {{job_name}}',
              },
            ],
          }),
          timeseries({
            title: 'Dead-lettered',
            description: 'Jobs moved to the dead-letter store per second. Any alerts.',
            unit: 'ops',
            queries: [
              {
                expr: `sum by (queue, job_name) (${rate('queue_jobs_dead_lettered_total', Q)})`,
                legend: '{{queue}} {{job_name}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Time',
        panels: [
          latency({
            title: 'Wait time',
            description: 'From enqueue (or the end of a requested delay) to the first start: p50, p95, p99.',
            histogram: 'queue_job_wait_seconds',
            matchers: Q,
          }),
          latency({
            title: 'Processing time',
            description:
              'Handler time per attempt: p50, p95, p99. Dots are exemplars: click for the trace of that attempt.',
            histogram: 'queue_job_processing_seconds',
            matchers: Q,
          }),
          latency({
            title: 'Processing time p95 by job and outcome',
            description: 'Handler time per attempt by job type, completed and failed apart.',
            histogram: 'queue_job_processing_seconds',
            matchers: Q,
            by: ['queue', 'job_name', 'outcome'],
            quantiles: [0.95],
          }),
          latency({
            title: 'End to end p95 by queue',
            description: 'Enqueue to completion of completed jobs, retries and delays included.',
            histogram: 'queue_job_end_to_end_seconds',
            matchers: Q,
            by: ['queue'],
            quantiles: [0.95],
          }),
        ],
      },
      {
        title: 'Backlog',
        panels: [
          timeseries({
            title: 'Jobs by state',
            description:
              'Jobs waiting, active, delayed, prioritized or waiting for children, sampled at scrape time.',
            width: 8,
            queries: [
              {
                expr: depth('waiting|active|delayed|prioritized|waiting-children'),
                legend: '{{queue}} {{state}}',
              },
            ],
          }),
          timeseries({
            title: 'Oldest waiting job age',
            description: 'How long the oldest ready job has waited (0 when none waits).',
            unit: 's',
            width: 8,
            queries: [
              { expr: `max by (queue) (queue_oldest_waiting_job_age_seconds{${Q}})`, legend: '{{queue}}' },
            ],
          }),
          timeseries({
            title: 'Outbox: events not yet queued',
            description:
              'Domain events (referral changes) recorded in the api’s database and waiting for the job queue, and the age of the oldest: they wait while Redis is down and are relayed when it is back.',
            width: 8,
            queries: [
              { expr: `max (outbox_events_pending{${sel()}})`, legend: 'waiting' },
              { expr: `max (outbox_oldest_pending_age_seconds{${sel()}})`, legend: 'oldest (s)' },
            ],
          }),
          timeseries({
            title: 'Failed and dead jobs kept',
            description: 'Failed jobs BullMQ keeps, and jobs in the dead-letter store.',
            width: 8,
            queries: [{ expr: depth('failed|dead'), legend: '{{queue}} {{state}}' }],
          }),
        ],
      },
    ],
  });
