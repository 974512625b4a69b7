// A worker in a process of its own, as `npm run worker` runs it, for tests that kill it
// (SIGKILL) at a moment they choose. With CRASH_AFTER_SEND=1 it dies by itself right after
// the SMTP server accepted an e-mail and before the e-mail is recorded as sent: the crash
// that exactly-once delivery must survive. With PAUSE_IN_MERGE=2 it stops in the middle of
// a merge, once the second request is closed into it, says « paused » and waits to be killed.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { connect } from '../../src/db/connection';
import { createTransport } from '../../src/mail/transport';
import { createWorker } from '../../src/temporal/worker';

/** After the n-th request closed into a merge: « paused » on stdout, and no further step. */
function pauseInMerge(n: number) {
  let closed = 0;
  return n > 0 ? {
    afterSourceClosed: () => {
      closed += 1;
      if (closed === n) {
        process.stdout.write('paused\n');
        return new Promise<void>(() => undefined);
      }
      return undefined;
    },
  } : {};
}

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
    mergeHooks: pauseInMerge(Number(process.env.PAUSE_IN_MERGE ?? 0)),
  });
  process.stdout.write('ready\n');
  await worker.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
