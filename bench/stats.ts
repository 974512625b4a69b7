/** Nearest-rank percentile of samples (ms); 0 when there are none, so the JSON stays numeric. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) {
    return 0;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export interface Latencies {
  p50: number;
  p95: number;
  p99: number;
}

export function latencies(samples: number[]): Latencies {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;

export function describeLatencies(l: Latencies): string {
  return `p50 ${round1(l.p50)} ms, p95 ${round1(l.p95)} ms, p99 ${round1(l.p99)} ms`;
}
