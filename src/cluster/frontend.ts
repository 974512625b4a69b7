// Asking a Temporal frontend whether it answers, with a connection of our own that is
// closed right after (the readiness of a node, of the namespace on every node).
import { Connection } from '@temporalio/client';

/** Runs `call` on a fresh connection to `address`; false when the node does not answer (yet). */
export async function frontendAnswers(address: string, call: (c: Connection) => Promise<unknown>): Promise<boolean> {
  let connection: Connection | null = null;
  try {
    connection = await Connection.connect({ address, connectTimeout: 2_000 });
    await connection.withDeadline(Date.now() + 5_000, () => call(connection!));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
