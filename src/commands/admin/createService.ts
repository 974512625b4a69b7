import type { Db } from '../../db/connection';
import { insertService, serviceNameTaken, serviceSlugTaken } from '../../db/services';
import { authorize, type Actor } from '../../policies';
import { invalid, requireText, SLUG } from './invalid';

/** A new service (team of agents): a URL-safe slug and a name, both unique. */
export async function createService(db: Db, actor: Actor, props: { slug: string; name: string }): Promise<number> {
  authorize(actor, 'administer');
  const slug = props.slug.trim();
  if (!SLUG.test(slug)) {
    throw invalid('slug', 'slug');
  }
  const name = requireText(props.name, 'name');
  if (await serviceSlugTaken(db, slug)) {
    throw invalid('slugTaken', 'slug', { value: slug });
  }
  if (await serviceNameTaken(db, name)) {
    throw invalid('nameTaken', 'name', { value: name });
  }
  return insertService(db, { slug, name });
}
