// The two lists of codes the municipality extends: event types (annotations) and closing codes.
import type { Db } from './connection';
import type { CodeLabel } from './views';

export type CodeList = 'event_types' | 'closing_codes' | 'wrap_up_codes';

export interface CodeListRow extends CodeLabel {
  /** closing codes only: set by the timers, nobody's to edit */
  system?: number | boolean;
}

export async function listCodes(db: Db, list: CodeList): Promise<CodeListRow[]> {
  return db(list).orderBy('label');
}

export async function codeExists(db: Db, list: CodeList, code: string): Promise<boolean> {
  return Boolean(await db(list).where({ code }).first('code'));
}

export async function insertCode(db: Db, list: CodeList, props: CodeLabel): Promise<void> {
  await db(list).insert(list === 'closing_codes' ? { ...props, system: false } : props);
}

export async function updateCodeLabel(db: Db, list: CodeList, props: CodeLabel): Promise<void> {
  await db(list).where({ code: props.code }).update({ label: props.label });
}

export async function deleteCode(db: Db, list: CodeList, code: string): Promise<void> {
  await db(list).where({ code }).delete();
}

/** How many requests use a code: such a code is renamed, never removed. */
export async function usesOf(db: Db, list: CodeList, code: string): Promise<number> {
  const uses = {
    event_types: () => db('events').where({ type: code }),
    closing_codes: () => db('requests').where({ closing_code: code }),
    wrap_up_codes: () => db('events').where({ wrap_up_code: code }),
  }[list]();
  const row = await uses.count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** System codes (EXPIRED, set by the deletion timer) are nobody's to edit. */
export async function isSystemCode(db: Db, list: CodeList, code: string): Promise<boolean> {
  if (list !== 'closing_codes') {
    return false;
  }
  const row = await db('closing_codes').where({ code }).first('system');
  return Boolean(row?.system);
}

/** Every code's label, system ones included, for the exports' columns. */
export async function codeLabels(db: Db): Promise<{ codes: Map<string, string>; types: Map<string, string> }> {
  const [codes, types] = await Promise.all([
    db('closing_codes').select('code', 'label') as Promise<CodeLabel[]>,
    db('event_types').select('code', 'label') as Promise<CodeLabel[]>,
  ]);
  return { codes: new Map(codes.map((c) => [c.code, c.label])), types: new Map(types.map((e) => [e.code, e.label])) };
}
