import express from 'express';
import type { Ctx } from '../../../commands/context';
import { t } from '../../../i18n';
import { agentAdminRoutes } from './agents';
import { codeRoutes } from './codes';
import { emailTemplateRoutes } from './emailTemplates';
import { formTypeRoutes } from './formTypes';
import { formFieldRoutes } from './formFields';
import { groupRoutes } from './groups';
import { kbEditorRoutes } from './kbEditors';
import { requireAdminRole } from './guard';
import { renderAdminPage } from './render';
import { serviceRoutes } from './services';
import { partnerRoutes } from '../partners';
import { telephonyAdminRoutes } from './telephony';
import { mountAll } from '../../mount';
import { cannedReplyPages } from '../cannedReplies';

/** Everything under /admin: administrators in the "Administrer" role only. */
export function adminRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.use(requireAdminRole(ctx));
  router.get('/', (req, res) => {
    renderAdminPage(ctx, req, res, 'index', { title: t('ui.admin.title') });
  });
  mountAll(router, ctx, [serviceRoutes, formTypeRoutes, formFieldRoutes, agentAdminRoutes, groupRoutes, codeRoutes, emailTemplateRoutes, cannedReplyPages('shared'), partnerRoutes, kbEditorRoutes, telephonyAdminRoutes]);
  return router;
}
