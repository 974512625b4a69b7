import { codeExists, isSystemCode, updateCodeLabel, type CodeList } from '../../db/codes';
import type { Db } from '../../db/connection';
import { authorize, type Actor } from '../../policies';
import { invalid, requireText } from './invalid';

/** A new label; the code, which requests and events refer to, stays. */
export async function renameCode(db: Db, actor: Actor, list: CodeList, props: { code: string; label: string }): Promise<void> {
  authorize(actor, 'administer');
  const label = requireText(props.label, 'label');
  if (!(await codeExists(db, list, props.code))) {
    throw invalid('unknownCode', 'code');
  }
  if (await isSystemCode(db, list, props.code)) {
    throw invalid('systemCode', 'code');
  }
  await updateCodeLabel(db, list, { code: props.code, label });
}
