import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/connection';
import type { DeliveryHooks } from '../mail/outbox';
import type { Transport } from '../mail/transport';
import type { MergeHooks } from './merge';

/** What the activities run with: the worker's database, mail transport, configuration and Temporal client. */
export interface ActivityDeps {
  db: Db;
  transport: Transport;
  config: Config;
  /** Activities start workflows (webhook deliveries, a bulk item's Updates) through the worker's own connection. */
  client: Client;
  hooks?: DeliveryHooks;
  /** tests only: a worker that dies at a step of a merge */
  mergeHooks?: MergeHooks;
}
