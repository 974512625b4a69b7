// The processes the chaos run starts and kills: the Temporal dev server, `guichet worker`
// and `guichet web`, each a real child process, so that kill -9 is what a crash would be.
// Their output goes to log files (kept after the run) for the findings.
import { ensureTemporalCli } from '../../src/temporal/cli';
import { portOpen } from '../../src/temporal/devServer';
import { ManagedProcess, sleep } from '../../src/cluster/process';

export { GuichetProcess } from '../../src/cluster/guichetProcess';

/** `temporal server start-dev` on a fixed port with its state in a file, so a restart finds it all again. */
export class TemporalServer extends ManagedProcess {
  constructor(logFile: string, readonly port: number, private readonly dbFile: string) {
    super('temporal', logFile);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const cli = await ensureTemporalCli();
    // A killed server's port may take a moment to be free again.
    for (let i = 0; i < 50 && (await portOpen(this.port)); i += 1) {
      await sleep(200);
    }
    const child = this.spawnLogged(cli, [
      'server', 'start-dev', '--db-filename', this.dbFile, '--ip', '127.0.0.1', '--port', String(this.port),
      '--namespace', 'default', '--log-level', 'warn', '--headless',
    ], process.env);
    const deadline = Date.now() + 90_000;
    while (!(await portOpen(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the Temporal dev server did not start (see ${this.logFile})`);
      }
      await sleep(200);
    }
  }
}
