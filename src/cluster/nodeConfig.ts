// The configuration of one Temporal node, generated from the sample the server module
// ships (config/development-postgres12.yaml): the same store for every node, its own
// ports. Written to <node dir>/config/cluster.yaml, read by `server --env cluster`.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { NodePorts } from './ports';

/** The node's configuration file is <node dir>/config/<CONFIG_ENV>.yaml, read by `server --env <CONFIG_ENV>`. */
export const CONFIG_ENV = 'cluster';

export interface StoreSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  visibilityDatabase: string;
}

/**
 * 4 history shards: a shard is the unit of ownership the history service moves between
 * nodes, so 2 nodes get 2 each and a dead node's shards move to the survivor. Each shard
 * costs a few goroutines and a row lock; on a 2-core machine a few are plenty. The count
 * is fixed when the store is first used and can never change: production sets 512 or more
 * from the start.
 */
export const HISTORY_SHARDS = 4;

/** Connections per store and per service (4 services a node): two nodes stay well under PostgreSQL's default 100. */
const MAX_CONNS = 8;
const MAX_VISIBILITY_CONNS = 2;

type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function datastore(template: Yaml, database: string, store: StoreSettings, maxConns: number): Yaml {
  return {
    sql: {
      ...template.sql,
      databaseName: database,
      connectAddr: `${store.host}:${store.port}`,
      user: store.user,
      password: store.password,
      maxConns,
      maxIdleConns: maxConns,
    },
  };
}

function service(grpcPort: number, membershipPort: number, httpPort?: number): Yaml {
  return { rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...(httpPort === undefined ? {} : { httpPort }) } };
}

/** The sample configuration with this node's ports and the shared store; `clusterAddress`: the proxy in front of the frontends. */
export function nodeConfig(template: Yaml, ports: NodePorts, store: StoreSettings, clusterAddress: string, dynamicConfigFile: string): Yaml {
  const config: Yaml = structuredClone(template);
  const stores = config.persistence.datastores;
  config.log = { stdout: true, level: 'warn' };
  config.persistence.numHistoryShards = HISTORY_SHARDS;
  stores['postgres-default'] = datastore(stores['postgres-default'], store.database, store, MAX_CONNS);
  stores['postgres-visibility'] = datastore(stores['postgres-visibility'], store.visibilityDatabase, store, MAX_VISIBILITY_CONNS);
  config.global.membership = { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' };
  // pprof off (its port would be shared); metrics on a port of the node's own.
  delete config.global.pprof;
  config.global.metrics.prometheus.listenAddress = `127.0.0.1:${ports.metrics}`;
  config.services = {
    frontend: service(ports.frontend, ports.frontendMembership, ports.frontendHttp),
    history: service(ports.history, ports.historyMembership),
    matching: service(ports.matching, ports.matchingMembership),
    worker: service(ports.worker, ports.workerMembership),
  };
  // The cluster's one address, the same in every node's copy of the (stored) cluster metadata.
  config.clusterMetadata.clusterInformation.active.rpcAddress = clusterAddress;
  // No archival: finished workflows simply go after the namespace's retention.
  // (the server accepts « disabled » only without a provider or a default URI).
  const disabled = { history: { state: 'disabled' }, visibility: { state: 'disabled' } };
  config.archival = disabled;
  config.namespaceDefaults = { archival: disabled };
  config.dynamicConfigClient = { filepath: dynamicConfigFile, pollInterval: '10s' };
  return config;
}

/** The module's sample, parsed. */
export function readTemplate(serverModuleDir: string): Yaml {
  return YAML.parse(fs.readFileSync(path.join(serverModuleDir, 'config', 'development-postgres12.yaml'), 'utf8')) as Yaml;
}

/** Writes the node's configuration and the module's dynamic config beside it; returns the node's root dir. */
export function writeNodeConfig(nodeDir: string, serverModuleDir: string, ports: NodePorts, store: StoreSettings, clusterAddress: string): string {
  const configDir = path.join(nodeDir, 'config');
  fs.mkdirSync(path.join(configDir, 'dynamicconfig'), { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig', 'development-sql.yaml');
  fs.copyFileSync(path.join(serverModuleDir, 'config', 'dynamicconfig', 'development-sql.yaml'), dynamicConfigFile);
  const config = nodeConfig(readTemplate(serverModuleDir), ports, store, clusterAddress, dynamicConfigFile);
  fs.writeFileSync(path.join(configDir, `${CONFIG_ENV}.yaml`), YAML.stringify(config));
  return nodeDir;
}
