// A worker in a process of its own, as `npm run worker` runs it, for tests that kill it
// (SIGKILL) at a moment they choose. With CRASH_AFTER_SEND=1 it dies by itself right after
// the SMTP server accepted an e-mail and before the e-mail is recorded as sent: the crash
// that exactly-once delivery must survive.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { connect } from '../../src/db/connection';
import { createTransport } from '../../src/mail/transport';
import { createWorker } from '../../src/temporal/worker';

async function main(): Promise<void> {
  const crashAfterSend = process.env.CRASH_AFTER_SEND === '1';
  Runtime.install({ logger: new DefaultLogger(crashAfterSend ? 'WARN' : 'ERROR') });
  const config = loadConfig();
  const { worker } = await createWorker({
    db: connect(config),
    transport: createTransport(config.smtpUrl),
    config,
    address: config.temporalAddress!,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    workflowBundle: { codePath: process.env.GUICHET_TEST_BUNDLE! },
    hooks: crashAfterSend ? { afterSend: () => process.exit(17) } : {},
  });
  process.stdout.write('ready\n');
  await worker.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
