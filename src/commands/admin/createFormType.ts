import type { Delays } from '../../../workflows/definitions';
import type { Db } from '../../db/connection';
import { formTypeSlugTaken, insertFormType } from '../../db/formTypes';
import { findService } from '../../db/services';
import { authorize, type Actor } from '../../policies';
import { requirePriority } from './defaultPriority';
import { invalid, requireText, SLUG } from './invalid';

/** A new form type of a service, with its five delays and the priority of its requests (moyenne unless given). */
export async function createFormType(
  db: Db,
  actor: Actor,
  props: { slug: string; title: string; serviceId: number; delays: Delays; defaultPriority?: string },
): Promise<number> {
  authorize(actor, 'administer');
  const slug = props.slug.trim();
  if (!SLUG.test(slug)) {
    throw invalid('slug', 'slug');
  }
  const title = requireText(props.title, 'title');
  if (!(await findService(db, props.serviceId))) {
    throw invalid('unknownService', 'serviceId');
  }
  if (await formTypeSlugTaken(db, slug)) {
    throw invalid('slugTaken', 'slug', { value: slug });
  }
  const defaultPriority = props.defaultPriority ? requirePriority(props.defaultPriority, 'defaultPriority') : undefined;
  return insertFormType(db, { slug, title, serviceId: props.serviceId, delays: props.delays, defaultPriority });
}
