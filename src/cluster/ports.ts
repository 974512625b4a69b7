// Where each part of the cluster listens. Every port derives from one base so that a
// whole cluster moves with one option (several clusters side by side: the chaos run, the
// bench, a test), and a test can check that no two parts share a port.
import net from 'node:net';

/** The ports of one Temporal node: one gRPC and one membership (ringpop) port per service, and its metrics. */
export interface NodePorts {
  frontend: number;
  /** the frontend's HTTP API (Nexus callbacks, the HTTP gateway) */
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  /** Temporal's Prometheus metrics */
  metrics: number;
}

export interface ClusterPorts {
  /** the one Temporal address every Guichet process uses (the TCP proxy in front of the frontends) */
  temporalProxy: number;
  /** the one address of Guichet (the proxy in front of the web processes) */
  webProxy: number;
  nodes: NodePorts[];
  webs: number[];
  /** the workers' /metrics, /healthz, /readyz */
  workerMetrics: number[];
}

/** Per node, ten consecutive ports from base + 10 × (index + 1). */
function nodePorts(base: number, index: number): NodePorts {
  const p = base + 10 * (index + 1);
  return {
    frontend: p, frontendHttp: p + 1, history: p + 2, matching: p + 3, worker: p + 4,
    frontendMembership: p + 5, historyMembership: p + 6, matchingMembership: p + 7, workerMembership: p + 8,
    metrics: p + 9,
  };
}

export interface PortPlan {
  base: number;
  nodes: number;
  webs: number;
  workers: number;
  /** the proxies' ports, when they are to be well known (7233, 3000); base + 0 and base + 1 otherwise */
  temporalProxy?: number;
  webProxy?: number;
}

/** Nodes from base + 10, webs from base + 80, worker metrics from base + 90: a plan fits in base … base + 99. */
export function planPorts(plan: PortPlan): ClusterPorts {
  if (plan.nodes > 7 || plan.webs > 10 || plan.workers > 10) {
    throw new Error('at most 7 Temporal nodes, 10 web and 10 worker processes');
  }
  return {
    temporalProxy: plan.temporalProxy ?? plan.base,
    webProxy: plan.webProxy ?? plan.base + 1,
    nodes: Array.from({ length: plan.nodes }, (_, i) => nodePorts(plan.base, i)),
    webs: Array.from({ length: plan.webs }, (_, i) => plan.base + 80 + i),
    workerMetrics: Array.from({ length: plan.workers }, (_, i) => plan.base + 90 + i),
  };
}

/** Every port of the plan, in a list: distinct, as a test checks. */
export function allPorts(ports: ClusterPorts): number[] {
  return [ports.temporalProxy, ports.webProxy, ...ports.nodes.flatMap((n) => Object.values(n)), ...ports.webs, ...ports.workerMetrics];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The ports of the plan that something already holds. */
export async function takenPorts(ports: ClusterPorts): Promise<number[]> {
  const taken: number[] = [];
  for (const port of allPorts(ports)) {
    if (!(await canListen(port))) {
      taken.push(port);
    }
  }
  return taken;
}

/** A base whose hundred ports are all free now, for a throwaway cluster (chaos, bench). */
export async function freeBase(shape: Omit<PortPlan, 'base'>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 10_000 + 100 * Math.floor(Math.random() * 200);
    if ((await takenPorts(planPorts({ ...shape, base }))).length === 0) {
      return base;
    }
  }
  throw new Error('no free range of 100 ports found between 10000 and 30000 (below the ephemeral ports outgoing connections take)');
}
