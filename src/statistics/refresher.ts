// Keeps the statistics' daily aggregates (src/db/statisticsDays.ts) fresh: every worker
// looks once a minute and rebuilds them when they are older than STATISTICS_REFRESH_MINUTES,
// or when a new Paris day has begun (yesterday then joins them). A rebuild reads for some
// seconds at a million requests; two workers rebuilding at once only repeat each other's
// work, the last to commit wins.
import { setTimeout as wait } from 'node:timers/promises';
import type { Db } from '../db/connection';
import { parisDayNumber } from '../dates';
import { refreshStatisticsDays, statisticsDaysState } from '../db/statisticsDays';
import { logger } from '../ops/logger';

const LOOK_EVERY_MS = 60_000;

export interface Refresher {
  /** Lets a rebuild under way commit, then stops. */
  stop(): Promise<void>;
}

/** Whether the aggregates are missing, older than `minutes`, or short of yesterday. */
export async function refreshDue(db: Db, minutes: number, now = Date.now()): Promise<boolean> {
  const state = await statisticsDaysState(db);
  return !state || now - state.computedAt >= minutes * 60_000 || parisDayNumber(now) > state.untilDay;
}

export function startStatisticsRefresh(db: Db, minutes: number, lookEveryMs = LOOK_EVERY_MS): Refresher {
  if (minutes <= 0) {
    return { stop: async () => undefined };
  }
  const stopping = new AbortController();
  const run = async () => {
    while (!stopping.signal.aborted) {
      try {
        if (await refreshDue(db, minutes)) {
          const started = Date.now();
          const { rows } = await refreshStatisticsDays(db);
          logger.info({ rows, ms: Date.now() - started }, 'statistics: daily aggregates rebuilt');
        }
      } catch (err) {
        logger.warn({ err }, 'statistics: daily aggregates not rebuilt, tried again in a minute');
      }
      // Node's wait removes its listener from the signal when it ends: a listener left at
      // every look would pile up for the worker's whole life.
      await wait(lookEveryMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  };
  const done = run();
  return {
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
