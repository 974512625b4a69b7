import type { Delays } from '../../../workflows/definitions';
import type { Db } from '../../db/connection';
import { delayColumns } from '../../db/formTypes';
import { invalid, requireText, SLUG } from './invalid';

/** A new form type of a service, with its five delays. */
export async function createFormType(db: Db, props: { slug: string; title: string; serviceId: number; delays: Delays }): Promise<number> {
  const slug = props.slug.trim();
  if (!SLUG.test(slug)) {
    throw invalid('slug', 'slug');
  }
  const title = requireText(props.title, 'title');
  if (!(await db('services').where({ id: props.serviceId }).first('id'))) {
    throw invalid('unknownService', 'serviceId');
  }
  if (await db('form_types').where({ slug }).first('id')) {
    throw invalid('slugTaken', 'slug', { value: slug });
  }
  const [id] = await db('form_types').insert({ slug, title, service_id: props.serviceId, ...delayColumns(props.delays) });
  return Number(id);
}
