// `npx guichet group …`: the administration of groups from the command line, through the
// same commands as the administration pages (same checks, same French refusals).
import type { Command } from 'commander';
import { chooseFormTypeGroup } from '../commands/admin/chooseFormTypeGroup';
import { createGroup } from '../commands/admin/createGroup';
import { deleteGroup } from '../commands/admin/deleteGroup';
import { removeGroupMember } from '../commands/admin/removeGroupMember';
import { renameGroup } from '../commands/admin/renameGroup';
import { setGroupConsultationDelay } from '../commands/admin/setGroupConsultationDelay';
import { setGroupMember } from '../commands/admin/setGroupMember';
import type { Db } from '../db/connection';
import { groupCounts, listGroups } from '../db/groups';
import { listServices } from '../db/services';
import { formatDelay } from '../durations';
import { t } from '../i18n';
import { COMMAND_LINE } from '../policies';

export function groupCommands(cli: Command, withDb: (fn: (db: Db) => Promise<void>) => Promise<void>): void {
  const group = cli.command('group').description(t('cli.group.description'));

  group.command('list').description(t('cli.group.list'))
    .action(async () => withDb(async (db) => {
      const [groups, counts, services] = await Promise.all([listGroups(db), groupCounts(db), listServices(db)]);
      const slugs = new Map(services.map((s) => [Number(s.id), s.slug]));
      for (const g of groups) {
        const c = counts.get(Number(g.id)) ?? { members: 0, open: 0 };
        const service = g.service_id === null ? t('cli.group.transversal') : slugs.get(Number(g.service_id));
        console.log([g.name, service, t('cli.group.members', { count: c.members }), t('cli.group.open', { count: c.open }), formatDelay(Number(g.consultation_reminder_ms))].join('\t'));
      }
    }));

  group.command('create <name>').description(t('cli.group.create'))
    .option('--service <slug>', t('cli.group.service'))
    .option('--consultation-delay <durée>', t('cli.group.consultationDelay'))
    .action(async (name: string, o: { service?: string; consultationDelay?: string }) => withDb(async (db) => {
      await createGroup(db, COMMAND_LINE, { name, service: o.service ?? null, consultationDelay: o.consultationDelay });
      console.log(t('cli.group.created', { name: name.trim() }));
    }));

  group.command('rename <group> <name>').description(t('cli.group.rename'))
    .action(async (from: string, name: string) => withDb(async (db) => {
      console.log(t('cli.group.renamed', { from, name: await renameGroup(db, COMMAND_LINE, { group: from, name }) }));
    }));

  group.command('consultation-delay <group> <durée>').description(t('cli.group.consultationDelay'))
    .action(async (name: string, delay: string) => withDb(async (db) => {
      const ms = await setGroupConsultationDelay(db, COMMAND_LINE, { group: name, delay });
      console.log(t('cli.group.delaySet', { name, delay: formatDelay(ms) }));
    }));

  group.command('add-member <group> <agentCode>').description(t('cli.group.addMember'))
    .option('--role <role>', t('cli.group.role'), 'agent')
    .action(async (name: string, code: string, o: { role: string }) => withDb(async (db) => {
      const result = await setGroupMember(db, COMMAND_LINE, { group: name, agent: code, role: o.role });
      console.log(t('cli.group.memberSet', { code, name, role: t(`ui.groups.role.${result.role}`) }));
    }));

  group.command('remove-member <group> <agentCode>').description(t('cli.group.removeMember'))
    .action(async (name: string, code: string) => withDb(async (db) => {
      await removeGroupMember(db, COMMAND_LINE, { group: name, agent: code });
      console.log(t('cli.group.memberRemoved', { code, name }));
    }));

  group.command('delete <group>').description(t('cli.group.delete'))
    .action(async (name: string) => withDb(async (db) => {
      await deleteGroup(db, COMMAND_LINE, { group: name });
      console.log(t('cli.group.deleted', { name }));
    }));

  group.command('form-type <formTypeSlug> <group>').description(t('cli.group.formType'))
    .action(async (slug: string, name: string) => withDb(async (db) => {
      await chooseFormTypeGroup(db, COMMAND_LINE, { slug, group: name });
      console.log(t('cli.group.formTypeSet', { slug, name }));
    }));
}
