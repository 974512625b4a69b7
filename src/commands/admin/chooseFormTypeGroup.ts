import type { Db } from '../../db/connection';
import { findFormType, setFormTypeGroup } from '../../db/formTypes';
import { authorize, type Actor } from '../../policies';
import { requireGroup } from './groupInput';
import { invalid } from './invalid';

/**
 * The group whose queue a form type's new requests go to. The requests already filed stay
 * in their queue (a transfer moves one).
 */
export async function chooseFormTypeGroup(db: Db, actor: Actor, props: { slug: string; group: number | string }): Promise<string> {
  authorize(actor, 'administer');
  const formType = await findFormType(db, props.slug);
  if (!formType) {
    throw invalid('unknownFormType', 'slug');
  }
  const group = await requireGroup(db, props.group);
  await setFormTypeGroup(db, formType.id, Number(group.id));
  return group.name;
}
