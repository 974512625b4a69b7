import { refreshDeadlines } from './deadlines';
import type { Delays } from '../../workflows/definitions';
import type { Db } from './connection';
import { serviceGroupOf } from './groups';

export interface FormTypeRow {
  id: number;
  slug: string;
  title: string;
  service_id: number;
  service_slug: string;
  service_name: string;
  unprocessed_reminder_ms: number;
  reminder_every_ms: number;
  deletion_ms: number;
  deletion_warning_ms: number;
  in_progress_reminder_ms: number;
  /** shown under its title in the public catalogue */
  description: string | null;
  /** offered in the public catalogue */
  published: boolean | number;
  /** the priority (rank, 1 haute … 3 basse) its requests are filed with */
  default_priority: number;
  /** the group whose queue its requests are filed into (its service's own group unless the administrator chose another) */
  group_id: number | null;
}

const DAY = 24 * 3600 * 1000;
/** DESIGN.md's defaults. */
export const DEFAULT_DELAYS: Delays = {
  unprocessedReminderMs: 2 * DAY,
  reminderEveryMs: 2 * DAY,
  deletionMs: 30 * DAY,
  deletionWarningMs: 7 * DAY,
  inProgressReminderMs: 7 * DAY,
};

export function delaysOf(row: FormTypeRow): Delays {
  return {
    unprocessedReminderMs: Number(row.unprocessed_reminder_ms),
    reminderEveryMs: Number(row.reminder_every_ms),
    deletionMs: Number(row.deletion_ms),
    deletionWarningMs: Number(row.deletion_warning_ms),
    inProgressReminderMs: Number(row.in_progress_reminder_ms),
  };
}

export function delayColumns(d: Partial<Delays>): Record<string, number> {
  const columns: Record<string, number | undefined> = {
    unprocessed_reminder_ms: d.unprocessedReminderMs,
    reminder_every_ms: d.reminderEveryMs,
    deletion_ms: d.deletionMs,
    deletion_warning_ms: d.deletionWarningMs,
    in_progress_reminder_ms: d.inProgressReminderMs,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined)) as Record<string, number>;
}

function query(db: Db) {
  return db('form_types as f')
    .join('services as s', 's.id', 'f.service_id')
    .select('f.*', 's.slug as service_slug', 's.name as service_name');
}

export async function findFormType(db: Db, slug: string): Promise<FormTypeRow | undefined> {
  return query(db).where('f.slug', slug).first();
}

export async function findFormTypeById(db: Db, id: number): Promise<FormTypeRow | undefined> {
  return query(db).where('f.id', id).first();
}

export async function listFormTypes(db: Db): Promise<FormTypeRow[]> {
  return query(db).orderBy('f.title');
}

/** Sets some delay columns of a form type (see delayColumns). */
export async function updateDelays(db: Db, id: number, columns: Record<string, number>): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('form_types').where({ id }).update(columns);
    // The lists show the new delays at once (src/db/deadlines.ts).
    await refreshDeadlines(trx, (q) => q.where({ form_type_id: id }).whereIn('status', ['NON_TRAITEE', 'EN_COURS']));
  });
}

export async function formTypeSlugTaken(db: Db, slug: string): Promise<boolean> {
  return Boolean(await db('form_types').where({ slug }).first('id'));
}

export async function insertFormType(db: Db, props: { slug: string; title: string; serviceId: number; delays: Delays; defaultPriority?: number; groupId?: number }): Promise<number> {
  const priority = props.defaultPriority === undefined ? {} : { default_priority: props.defaultPriority };
  const groupId = props.groupId ?? (await serviceGroupOf(db, props.serviceId))?.id ?? null;
  const [id] = await db('form_types').insert({ slug: props.slug, title: props.title, service_id: props.serviceId, group_id: groupId, ...delayColumns(props.delays), ...priority });
  return Number(id);
}

/** The group whose queue the form type's new requests go to. */
export async function setFormTypeGroup(db: Db, id: number, groupId: number): Promise<void> {
  await db('form_types').where({ id }).update({ group_id: groupId });
}

export async function updateFormTypeRow(db: Db, id: number, props: { title: string; serviceId: number }): Promise<void> {
  await db('form_types').where({ id }).update({ title: props.title, service_id: props.serviceId });
}

/** The priority (rank) the form type's new requests are filed with. */
export async function setDefaultPriorityRow(db: Db, id: number, rank: number): Promise<void> {
  await db('form_types').where({ id }).update({ default_priority: rank });
}

/** What the public catalogue says of a form type, and whether it offers it (only what is given changes). */
export async function updateFormPresentation(db: Db, id: number, props: { description?: string | null; published?: boolean }): Promise<void> {
  await db('form_types').where({ id }).update(props);
}

/** How many requests of each form type are not closed yet (form types with none are absent). */
export async function openRequestCounts(db: Db): Promise<Map<number, number>> {
  const rows: { form_type_id: number; n: number }[] = await db('requests').whereNot('status', 'CLOTUREE').groupBy('form_type_id').select('form_type_id').count({ n: '*' });
  return new Map(rows.map((r) => [Number(r.form_type_id), Number(r.n)]));
}

export async function hasOpenRequests(db: Db, formTypeId: number): Promise<boolean> {
  return Boolean(await db('requests').where({ form_type_id: formTypeId }).whereNot('status', 'CLOTUREE').first('id'));
}
