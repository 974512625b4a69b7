// The Temporal SDK's own metrics (polls, task latencies, slots, sticky cache…) are made
// by its native core, which can only serve them on an HTTP port of its own. The worker
// binds that exporter on a free loopback port, and /metrics forwards what it serves, so
// that a process has one metrics address (and one access rule).
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../temporal/devServer';
import { logger } from './logger';

let coreAddress: string | null = null;

/**
 * Installs the SDK's runtime once per process, before the worker's first connection:
 * warnings and errors only in the log (it reports every state change at INFO), and its
 * metrics exporter. A runtime installed earlier (a test harness) is kept as it is.
 */
export async function installTemporalRuntime(): Promise<void> {
  const quiet = new DefaultLogger('WARN');
  // The SDK would shut the worker down on SIGINT and SIGTERM itself, at once, while the web
  // of `guichet start` still drains requests whose Updates need it: the process's own
  // handler (src/cli/main.ts) stops everything, in order.
  const signals = { shutdownSignals: [] };
  const address = `127.0.0.1:${await freePort()}`;
  try {
    Runtime.install({
      logger: quiet,
      ...signals,
      telemetryOptions: { metrics: { prometheus: { bindAddress: address, countersTotalSuffix: true, useSecondsForDurations: true } } },
    });
    coreAddress = address;
  } catch (err) {
    if (/already/i.test((err as Error).message)) {
      return;
    }
    logger.warn({ err }, 'Temporal SDK metrics not exported');
    Runtime.install({ logger: quiet, ...signals });
  }
}

/** What the SDK's exporter serves now, or '' (no worker in this process, or no answer in a second). */
export async function temporalCoreMetrics(): Promise<string> {
  if (!coreAddress) {
    return '';
  }
  try {
    const res = await fetch(`http://${coreAddress}/metrics`, { signal: AbortSignal.timeout(1000) });
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}
