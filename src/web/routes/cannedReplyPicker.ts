// On the request page, the message form's « Réponse type » list: picking one answers the
// textarea filled for this request (what cannot be filled is listed beside it), and typing
// in the textarea asks again which placeholders are left, before anything is sent.
import express, { type Request, type Response } from 'express';
import { placeholdersIn } from '../../canned/placeholders';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { fillCannedReply } from '../../commands/fillCannedReply';
import { MAX_MESSAGE } from '../../commands/writeMessage';
import { text } from './forms';
import { renderFragment } from './render';
import { currentAgent } from './session';

/** A refusal said in the page's alert region; the form stays as it was. */
function refuse(res: Response, err: CommandError): void {
  res.status(err.status).set({ 'HX-Retarget': '#global-alert', 'HX-Reswap': 'innerHTML' }).type('text/plain').send(err.message);
}

async function refusing(res: Response, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    refuse(res, err);
  }
}

/** The text of a refused message as typed, and what is left unfilled in it. */
export function messageDraftOf(body: unknown): { text: string; unfilled: string[] } {
  const typed = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).body : undefined;
  const draft = typeof typed === 'string' ? typed.slice(0, MAX_MESSAGE) : '';
  return { text: draft, unfilled: placeholdersIn(draft) };
}

const referenceOf = (req: Request): string => String(req.params.reference);

export function cannedReplyPickerRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get('/demandes/:reference/reponses-types/remplir', async (req, res) => {
    res.vary('HX-Request');
    const raw = typeof req.query.reponseType === 'string' ? req.query.reponseType : '';
    // « — » chosen again: the textarea keeps what is typed.
    if (!/^\d{1,9}$/.test(raw)) {
      res.status(204).end();
      return;
    }
    await refusing(res, async () => {
      const filled = await fillCannedReply(ctx, currentAgent(req), referenceOf(req), Number(raw));
      renderFragment(res, 'canned/messageBody', { reference: referenceOf(req), draft: filled.text, unfilled: filled.unfilled });
    });
  });

  // Nothing is read but the text typed: which placeholders it still holds.
  router.post('/demandes/:reference/reponses-types/verifier', async (req, res) => {
    await refusing(res, async () => {
      renderFragment(res, 'canned/warnings', { unfilled: placeholdersIn(text(req.body, 'body', MAX_MESSAGE * 2, false)) });
    });
  });
  return router;
}
