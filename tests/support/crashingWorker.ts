// A worker that dies right after the SMTP server accepted an e-mail and before the
// e-mail is recorded as sent: the crash that exactly-once delivery must survive.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { connect } from '../../src/db/connection';
import { createTransport } from '../../src/mail/transport';
import { createWorker } from '../../src/temporal/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const db = connect(config);
  const { worker } = await createWorker({
    db,
    transport: createTransport(config.smtpUrl),
    config,
    address: config.temporalAddress!,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowBundle: { codePath: process.env.GUICHET_TEST_BUNDLE! },
    hooks: { afterSend: () => process.exit(17) },
  });
  await worker.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
