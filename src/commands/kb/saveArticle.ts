import type { Ctx } from '../context';
import type { Agent } from '../../db/agents';
import { findArticle, saveArticleRow } from '../../db/kbArticles';
import { authorize } from '../../policies';
import { articleSchema } from '../../kb/articleInput';
import { parseInput } from '../schemas';
import { CommandError } from '../errors';
import { t } from '../../i18n';

/**
 * Writes an article (a new one when `id` is null) as its next version, recording who and
 * the note they gave. The agent must have the right for the service it is filed under, and
 * for an existing article for its current service too (no moving another service's article).
 */
export async function saveArticle(ctx: Ctx, agent: Agent, props: { id: number | null; input: unknown }): Promise<{ id: number; version: number }> {
  const input = parseInput(articleSchema, props.input);
  if (props.id !== null) {
    const current = await findArticle(ctx.db, props.id);
    if (!current) {
      throw CommandError.of(404, 'KB_NOT_FOUND');
    }
    authorize(agent, 'writeArticle', { service_id: current.serviceId });
  }
  authorize(agent, 'writeArticle', { service_id: input.service });
  await checkReferences(ctx, input.service, input.formTypes);
  const content = { title: input.title, body: input.body, tags: input.tags, serviceId: input.service, formTypeIds: input.formTypes, isPublic: input.isPublic };
  return saveArticleRow(ctx.db, props.id, content, agent.id, input.note);
}

/** The service and form types named exist (a forged form could name others). */
async function checkReferences(ctx: Ctx, serviceId: number | null, formTypeIds: number[]): Promise<void> {
  if (serviceId !== null && !(await ctx.db('services').where({ id: serviceId }).first('id'))) {
    throw new CommandError(400, 'INVALID_INPUT', t('ui.kb.invalid.service'), 'service');
  }
  const known = formTypeIds.length ? await ctx.db('form_types').whereIn('id', formTypeIds).count({ n: '*' }).first() : { n: 0 };
  if (Number(known?.n ?? 0) !== formTypeIds.length) {
    throw new CommandError(400, 'INVALID_INPUT', t('ui.kb.invalid.formTypes'), 'formTypes');
  }
}
