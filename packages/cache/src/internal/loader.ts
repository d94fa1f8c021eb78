import type { Span } from '@opentelemetry/api';
import { CacheLoaderTimeoutError } from '../errors.js';
import type { GetOrSetOptions } from '../types.js';
import { normalizeTags } from './checks.js';
import type { Core, Settings } from './core.js';
import { planWrite, type WritePlan } from './write-plan.js';

/** Calls the loader (sync or async), timed in `cache_loader_duration_seconds` whether it succeeds or not. */
export async function runLoader(core: Core, cache: string, loader: () => unknown): Promise<unknown> {
  const stop = core.metrics.loaderDuration.startTimer({ cache });
  try {
    return await loader();
  } finally {
    stop();
  }
}

/**
 * The hard loader timeout: rejects with CacheLoaderTimeoutError after `timeoutMs`
 * (counted as `loader_timeout`). The load is not cancelled: a value that arrives
 * late goes to `late`, which stores it.
 */
export function withHardTimeout(
  core: Core,
  cache: string,
  loading: Promise<unknown>,
  timeoutMs: number,
  late: (value: unknown) => Promise<void>,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      core.metrics.errors.inc({ cache, operation: 'loader_timeout' });
      reject(new CacheLoaderTimeoutError(timeoutMs));
    }, timeoutMs);
    timer.unref();
    loading.then(
      (value) => {
        clearTimeout(timer);
        if (!timedOut) return resolve(value);
        late(value).catch(() => undefined);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!timedOut) reject(error);
      },
    );
  });
}

/**
 * `work`'s result if it settles within `ms`, else undefined (the soft timeout).
 * `work` must not reject; it is not cancelled and carries on after the timeout.
 */
export function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void work.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * One getOrSet call's key, loader and write settings, as the load and refresh
 * steps need them. The arguments were checked when the call was made; the write
 * plan (with its random jitter) and the deduplicated tags are worked out only
 * when a step needs them (a hit never does).
 */
export class LoadRequest {
  private planned: WritePlan | undefined;
  private normalized: string[] | undefined;

  constructor(
    readonly fullKey: string,
    readonly loader: () => unknown,
    readonly options: GetOrSetOptions,
    private readonly settings: Settings,
    /** The call's `cache.getOrSet` span, made active while its loader runs. */
    readonly span: Span,
  ) {}

  get plan(): WritePlan {
    return (this.planned ??= planWrite(this.settings, this.options));
  }

  get tags(): string[] {
    return (this.normalized ??= normalizeTags(this.options.tags));
  }
}
