import type { Delays } from '../../../workflows/definitions';
import { findFormType, hasOpenRequests, setDefaultPriorityRow, updateFormTypeRow } from '../../db/formTypes';
import { findService } from '../../db/services';
import { authorize, type Actor } from '../../policies';
import { changeDelays } from '../changeDelays';
import type { Ctx } from '../context';
import { requirePriority } from './defaultPriority';
import { invalid, requireText } from './invalid';

/**
 * Changes a form type's title, service and delays. The delays go through changeDelays,
 * which signals every open request of the type: they follow the new delays at once.
 * A form type with open requests keeps its service: its requests, and the agents who
 * see them, would otherwise part ways. The default priority applies to the requests filed
 * from now on.
 */
export async function updateFormType(
  ctx: Ctx,
  actor: Actor,
  props: { slug: string; title: string; serviceId: number; delays: Delays; defaultPriority?: string },
): Promise<{ signalled: number }> {
  authorize(actor, 'administer');
  const formType = await findFormType(ctx.db, props.slug);
  if (!formType) {
    throw invalid('unknownFormType', 'slug');
  }
  const title = requireText(props.title, 'title');
  // Not given (an older form, a script): unchanged.
  const defaultPriority = props.defaultPriority ? requirePriority(props.defaultPriority, 'defaultPriority') : undefined;
  if (props.serviceId !== Number(formType.service_id)) {
    if (!(await findService(ctx.db, props.serviceId))) {
      throw invalid('unknownService', 'serviceId');
    }
    if (await hasOpenRequests(ctx.db, formType.id)) {
      throw invalid('serviceWithOpenRequests', 'serviceId');
    }
  }
  await updateFormTypeRow(ctx.db, formType.id, { title, serviceId: props.serviceId });
  if (defaultPriority !== undefined) {
    await setDefaultPriorityRow(ctx.db, formType.id, defaultPriority);
  }
  const { signalled } = await changeDelays(ctx, props.slug, props.delays);
  return { signalled };
}
