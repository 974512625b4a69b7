// The versions page: each save with who, when, the note they gave, which fields changed and
// how the body changed (a line diff against the version before), and the text it held.
import type { Db } from '../db/connection';
import { versionsOf, type ArticleVersion } from '../db/kbArticles';
import { listFormTypes } from '../db/formTypes';
import { listServices } from '../db/services';
import { t } from '../i18n';
import { lineDiff } from './diff';

const sameList = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The names of the fields that differ from the version before (none for the first). */
function changedFields(v: ArticleVersion, before: ArticleVersion | undefined): string[] {
  if (!before) {
    return [t('ui.kb.versions.created')];
  }
  const changes: [boolean, string][] = [
    [v.title !== before.title, 'title'],
    [v.body !== before.body, 'body'],
    [!sameList(v.tags, before.tags), 'tags'],
    [v.serviceId !== before.serviceId, 'service'],
    [!sameList([...v.formTypeIds].sort(), [...before.formTypeIds].sort()), 'formTypes'],
    [v.isPublic !== before.isPublic, 'isPublic'],
  ];
  const names = changes.filter(([changed]) => changed).map(([, key]) => t(`ui.kb.fields.${key}`));
  return names.length ? names : [t('ui.kb.versions.unchanged')];
}

export async function versionsModel(db: Db, articleId: number) {
  const [versions, services, formTypes] = await Promise.all([versionsOf(db, articleId), listServices(db), listFormTypes(db)]);
  const serviceName = (id: number | null) => (id === null ? t('ui.kb.allServices') : services.find((s) => s.id === id)?.name ?? '');
  const formTitle = (id: number) => formTypes.find((f) => f.id === id)?.title ?? String(id);
  return versions.map((v, i) => {
    const before = versions[i + 1];
    return {
      ...v,
      changes: changedFields(v, before).join(', '),
      titleChange: before && before.title !== v.title ? { from: before.title, to: v.title } : null,
      diff: before && before.body !== v.body ? lineDiff(before.body, v.body) : null,
      serviceName: serviceName(v.serviceId),
      formTypeTitles: v.formTypeIds.map(formTitle),
      latest: i === 0,
    };
  });
}
