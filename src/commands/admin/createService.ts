import type { Db } from '../../db/connection';
import { invalid, requireText, SLUG } from './invalid';

/** A new service (team of agents): a URL-safe slug and a name, both unique. */
export async function createService(db: Db, props: { slug: string; name: string }): Promise<number> {
  const slug = props.slug.trim();
  if (!SLUG.test(slug)) {
    throw invalid('slug', 'slug');
  }
  const name = requireText(props.name, 'name');
  if (await db('services').where({ slug }).first('id')) {
    throw invalid('slugTaken', 'slug', { value: slug });
  }
  if (await db('services').where({ name }).first('id')) {
    throw invalid('nameTaken', 'name', { value: name });
  }
  const [id] = await db('services').insert({ slug, name });
  return Number(id);
}
