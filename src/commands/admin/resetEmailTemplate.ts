import type { EmailKind } from '../../activities/types';
import type { Db } from '../../db/connection';
import { deleteTemplateOverride } from '../../db/emailTemplates';

/** Back to the template shipped with Guichet. */
export async function resetEmailTemplate(db: Db, kind: EmailKind): Promise<void> {
  await deleteTemplateOverride(db, kind);
}
