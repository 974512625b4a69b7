// Temporal's two PostgreSQL databases (the store and visibility), created and brought to
// the module's schema version with its own tool. Every step is idempotent: a second
// `guichet cluster` finds them and changes nothing.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TemporalBinaries } from './binaries';
import type { StoreSettings } from './nodeConfig';

const run = promisify(execFile);

function sqlTool(binaries: TemporalBinaries, store: StoreSettings, database: string) {
  const connection = ['--plugin', 'postgres12', '--endpoint', store.host, '--port', String(store.port), '--user', store.user, '--password', store.password, '--database', database];
  return async (...command: string[]) => {
    try {
      await run(binaries.sql, [...connection, ...command], { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${path.basename(binaries.sql)} ${command.join(' ')} (${database}): ${(e.stderr || e.stdout || e.message).trim().split('\n').slice(-3).join(' ')}`);
    }
  };
}

/** create-database (skipped when it exists), the version tables (kept when set), then every versioned step still missing. */
export async function setupSchemas(binaries: TemporalBinaries, store: StoreSettings): Promise<void> {
  const schemas = path.join(binaries.moduleDir, 'schema', 'postgresql', 'v12');
  for (const [database, kind] of [[store.database, 'temporal'], [store.visibilityDatabase, 'visibility']] as const) {
    const sql = sqlTool(binaries, store, database);
    await sql('create-database');
    await sql('setup-schema', '-v', '0.0');
    await sql('update-schema', '-d', path.join(schemas, kind, 'versioned'));
  }
}

/** Drops both databases: a throwaway cluster's store (chaos, bench). */
export async function dropSchemas(binaries: TemporalBinaries, store: StoreSettings): Promise<void> {
  for (const database of [store.database, store.visibilityDatabase]) {
    await sqlTool(binaries, store, database)('drop-database', '--force');
  }
}
