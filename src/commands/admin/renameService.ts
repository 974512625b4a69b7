import type { Db } from '../../db/connection';
import { invalid, requireText } from './invalid';

export async function renameService(db: Db, props: { id: number; name: string }): Promise<void> {
  const name = requireText(props.name, 'name');
  if (!(await db('services').where({ id: props.id }).first('id'))) {
    throw invalid('unknownService', 'id');
  }
  if (await db('services').where({ name }).whereNot({ id: props.id }).first('id')) {
    throw invalid('nameTaken', 'name', { value: name });
  }
  await db('services').where({ id: props.id }).update({ name });
}
