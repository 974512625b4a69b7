// `npx guichet attachments import`: moves attachments left on disk into the database (MySQL).
import type { Command } from 'commander';
import { importAttachments } from '../attachments/import';
import type { Config } from '../config';
import type { Db } from '../db/connection';
import { t } from '../i18n';

export function attachmentCommands(cli: Command, withDb: (fn: (db: Db, config: Config) => Promise<void>) => Promise<void>): void {
  cli.command('attachments').description(t('cli.attachments.description'))
    .command('import').description(t('cli.attachments.import'))
    .action(async () => withDb(async (db, config) => {
      const report = await importAttachments(db, config);
      console.log(t('cli.attachments.imported', { count: report.imported }));
      if (report.missing > 0) {
        console.error(t('cli.attachments.missing', { count: report.missing }));
      }
    }));
}
