import type { Db } from '../../db/connection';
import { findService, serviceNameTaken, updateServiceName } from '../../db/services';
import { authorize, type Actor } from '../../policies';
import { invalid, requireText } from './invalid';

export async function renameService(db: Db, actor: Actor, props: { id: number; name: string }): Promise<void> {
  authorize(actor, 'administer');
  const name = requireText(props.name, 'name');
  if (!(await findService(db, props.id))) {
    throw invalid('unknownService', 'id');
  }
  if (await serviceNameTaken(db, name, props.id)) {
    throw invalid('nameTaken', 'name', { value: name });
  }
  await updateServiceName(db, props.id, name);
}
