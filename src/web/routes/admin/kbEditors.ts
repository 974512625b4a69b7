// The « rédacteur » right of the knowledge base, given or taken on an agent's page.
import express from 'express';
import type { Ctx } from '../../../commands/context';
import { setKbEditor } from '../../../commands/kb/setKbEditor';
import { t } from '../../../i18n';
import { currentAgent } from '../session';
import { doneTo } from './render';

export function kbEditorRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.post('/agents/:id/redacteur', async (req, res, next) => {
    if (!/^\d+$/.test(String(req.params.id))) {
      next();
      return;
    }
    const id = Number(req.params.id);
    const editor = req.body?.redacteur === 'oui';
    await setKbEditor(ctx.db, currentAgent(req), { id, editor });
    doneTo(req, res, `/admin/agents/${id}`, t(editor ? 'ui.kb.editorRight.given' : 'ui.kb.editorRight.taken'));
  });
  return router;
}
