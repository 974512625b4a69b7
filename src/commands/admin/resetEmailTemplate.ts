import type { EmailKind } from '../../db/emails';
import type { Db } from '../../db/connection';
import { deleteTemplateOverride } from '../../db/emailTemplates';
import { authorize, type Actor } from '../../policies';

/** Back to the template shipped with Guichet. */
export async function resetEmailTemplate(db: Db, actor: Actor, kind: EmailKind): Promise<void> {
  authorize(actor, 'administer');
  await deleteTemplateOverride(db, kind);
}
