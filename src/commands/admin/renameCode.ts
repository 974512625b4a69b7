import type { Db } from '../../db/connection';
import { isSystemCode, type CodeList } from './codeLists';
import { invalid, requireText } from './invalid';

/** A new label; the code, which requests and events refer to, stays. */
export async function renameCode(db: Db, list: CodeList, props: { code: string; label: string }): Promise<void> {
  const label = requireText(props.label, 'label');
  if (!(await db(list).where({ code: props.code }).first('code'))) {
    throw invalid('unknownCode', 'code');
  }
  if (await isSystemCode(db, list, props.code)) {
    throw invalid('systemCode', 'code');
  }
  await db(list).where({ code: props.code }).update({ label });
}
