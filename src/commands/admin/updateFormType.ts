import type { Delays } from '../../../workflows/definitions';
import { findFormType } from '../../db/formTypes';
import { changeDelays } from '../changeDelays';
import type { Ctx } from '../context';
import { invalid, requireText } from './invalid';

/**
 * Changes a form type's title, service and delays. The delays go through changeDelays,
 * which signals every open request of the type: they follow the new delays at once.
 * A form type with open requests keeps its service: its requests, and the agents who
 * see them, would otherwise part ways.
 */
export async function updateFormType(
  ctx: Ctx,
  props: { slug: string; title: string; serviceId: number; delays: Delays },
): Promise<{ signalled: number }> {
  const formType = await findFormType(ctx.db, props.slug);
  if (!formType) {
    throw invalid('unknownFormType', 'slug');
  }
  const title = requireText(props.title, 'title');
  if (props.serviceId !== Number(formType.service_id)) {
    if (!(await ctx.db('services').where({ id: props.serviceId }).first('id'))) {
      throw invalid('unknownService', 'serviceId');
    }
    const open = await ctx.db('requests').where({ form_type_id: formType.id }).whereNot('status', 'CLOTUREE').first('id');
    if (open) {
      throw invalid('serviceWithOpenRequests', 'serviceId');
    }
  }
  await ctx.db('form_types').where({ id: formType.id }).update({ title, service_id: props.serviceId });
  const { signalled } = await changeDelays(ctx, props.slug, props.delays);
  return { signalled };
}
