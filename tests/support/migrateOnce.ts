// One process starting up: connects to DATABASE_URL (or DATA_DIR's SQLite file) and
// migrates, as `npm run web` and `npm run worker` do. Exits 0 when it succeeded.
import { loadConfig } from '../../src/config';
import { connect, migrate } from '../../src/db/connection';

async function main(): Promise<void> {
  const db = connect(loadConfig());
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
