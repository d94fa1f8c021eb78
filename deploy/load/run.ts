// Runs the traffic mix against an api for a while at a steady rate, and reports what happened.
import { describeError, LoadClient } from './client.js';
import { DEFAULT_LOAD_OPTIONS, type LoadOptions } from './options.js';
import { Scenario } from './scenario.js';
import { LoadStats, type LoadSummary, type ProgressSnapshot } from './stats.js';

/** The api did not answer (or not as an api): nothing was run. */
export class LoadTargetError extends Error {
  override readonly name = 'LoadTargetError';
}

export interface RunLoadHooks {
  /** Called every `progressSeconds` with the numbers so far. */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** Stops the run early (the summary covers what ran). */
  signal?: AbortSignal;
}

/** Checks that the api answers `GET /health`; throws LoadTargetError with what to do if not. */
export async function checkTarget(url: string, timeoutMs = 5_000): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new LoadTargetError(
      `The api at ${url} does not answer (${describeError(error)}). Start it first (\`npm start\`, or ` +
        '`docker compose up`), or point --url at it.',
      { cause: error },
    );
  }
  const text = await response.text().catch(() => '');
  let health: { status?: string } | undefined;
  try {
    health = JSON.parse(text) as { status?: string };
  } catch {
    health = undefined;
  }
  if (!health?.status)
    throw new LoadTargetError(
      `${url}/health answered ${response.status} without the api's health JSON: is --url the RNH api?`,
    );
}

export async function runLoad(
  partial: Partial<LoadOptions> & Pick<LoadOptions, 'url'>,
  hooks: RunLoadHooks = {},
): Promise<LoadSummary> {
  const options: LoadOptions = { ...DEFAULT_LOAD_OPTIONS, ...partial };
  const url = options.url.replace(/\/+$/, '');
  await checkTarget(url, Math.min(options.timeoutMs, 5_000));

  const stats = new LoadStats();
  const client = new LoadClient(url, stats, options.timeoutMs);
  const scenario = new Scenario(client);
  await scenario.prepare(options.users);
  if (scenario.userCount === 0) {
    const summary = stats.summary(url);
    throw new LoadTargetError(
      `No account could be signed up at ${url} (${summary.errors[0]?.what ?? 'no answer'}). ` +
        (summary.byOutcome['429'] > 0
          ? 'The api refused with 429: start it with higher RATE_LIMIT_* values for a load test.'
          : 'See the api logs.'),
    );
  }

  const intervalMs = 1000 / options.rate;
  const started = performance.now();
  const endAt = started + options.durationSeconds * 1000;
  const inFlight = new Set<Promise<void>>();
  let scheduled = 0;
  let nextProgress = started + options.progressSeconds * 1000;

  while (!hooks.signal?.aborted) {
    const now = performance.now();
    if (now >= endAt) break;
    // Open loop: start every request whose time has come, unless every slot is busy.
    const due = Math.floor((now - started) / intervalMs) + 1;
    while (scheduled < due) {
      scheduled++;
      if (inFlight.size >= options.concurrency) {
        stats.skipped++;
        continue;
      }
      const task: Promise<void> = scenario
        .step()
        .catch((error: unknown) => stats.error(`scenario: ${describeError(error)}`))
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (options.progressSeconds > 0 && now >= nextProgress) {
      hooks.onProgress?.(stats.snapshot(now));
      nextProgress += options.progressSeconds * 1000;
    }
    const wait = Math.max(1, Math.min(started + scheduled * intervalMs - performance.now(), endAt - now, 50));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(inFlight);
  await scenario.settle();
  return stats.summary(url);
}
