// Agent assistance (« Entraide »): the agent's rooms with their unread counts, a room's
// messages (its poller asks every few seconds whether a colleague wrote), posting, and the
// unread badge of every page's navigation (its own tiny poller).
import express, { type Request, type Response } from 'express';
import { chatChanged, MAX_CHAT_MESSAGE, postChatMessage, readChat, roomsWithUnread, unreadTotal, type ChatMessage } from '../../commands/chat';
import type { Ctx } from '../../commands/context';
import { CommandError } from '../../commands/errors';
import { parseInput, chatMessageSchema } from '../../commands/schemas';
import { openRoom, type Room } from '../../chat/rooms';
import { frenchDate, parisIsoDay } from '../../dates';
import { t } from '../../i18n';
import { chatBadge } from './chatBadge';
import { isHtmx, renderFragment, renderPage } from './render';
import { currentAgent } from './session';

/** How often an open room asks for new messages. */
export const CHAT_POLL_SECONDS = 3;

/** What a message shows: its author, its hour (today) or date, its text cut around the links. */
function shown(message: ChatMessage, today: string) {
  return {
    ...message,
    at: frenchDate(message.createdAt, parisIsoDay(message.createdAt) === today ? 'time' : 'short'),
    atIso: new Date(message.createdAt).toISOString(),
  };
}

/** The messages region of a room: its messages, and its poller knowing the last one. */
async function region(ctx: Ctx, req: Request, room: Room) {
  const { messages, lastId } = await readChat(ctx, currentAgent(req), room, null);
  const today = parisIsoDay(Date.now());
  return { room, messages: messages.map((m) => shown(m, today)), lastId, seconds: CHAT_POLL_SECONDS };
}

/** The posting form, empty or as typed with the reason it was refused. */
function chatForm(ctx: Ctx, room: Room, typed: { body?: string; request?: string } = {}, error?: CommandError) {
  return {
    room,
    body: typed.body ?? '',
    request: typed.request ?? '',
    error: error?.message,
    errorField: error?.field,
    max: MAX_CHAT_MESSAGE,
    help: t('ui.chat.bodyHelp', { max: MAX_CHAT_MESSAGE.toLocaleString('fr-FR'), example: `${ctx.config.referencePrefix}-2026-000123` }),
  };
}

async function renderRoom(ctx: Ctx, req: Request, res: Response, room: Room, form: ReturnType<typeof chatForm>): Promise<void> {
  await renderPage(ctx, req, res, 'chatRoom', { title: t('ui.chat.roomTitle', { room: room.name }), navPath: '/entraide', chat: await region(ctx, req, room), form });
}

const typedOf = (req: Request) => ({
  body: typeof req.body?.body === 'string' ? req.body.body : '',
  request: typeof req.body?.demande === 'string' ? req.body.demande : undefined,
});

export function chatRoutes(ctx: Ctx): express.Router {
  const router = express.Router();

  router.get('/entraide', async (req, res) => {
    const rooms = (await roomsWithUnread(ctx, currentAgent(req))).map((r) => ({ ...r, words: r.unread ? t('ui.chat.unread', { count: r.unread }) : '' }));
    await renderPage(ctx, req, res, 'chatRooms', { title: t('ui.chat.title'), rooms });
  });

  // Every page's badge polls here: one indexed query, a few bytes.
  router.get('/entraide/badge', async (req, res) => {
    renderFragment(res, 'chatBadge', chatBadge(await unreadTotal(ctx, currentAgent(req))));
  });

  // Opening a room marks it read.
  router.get('/entraide/:room', async (req, res) => {
    const room = await openRoom(ctx.db, currentAgent(req), String(req.params.room));
    await renderRoom(ctx, req, res, room, chatForm(ctx, room));
  });

  // The room's poller: nothing new, 204 (htmx swaps nothing); else the messages again, read.
  router.get('/entraide/:room/messages', async (req, res) => {
    const room = await openRoom(ctx.db, currentAgent(req), String(req.params.room));
    const after = Number(req.query.apres);
    if (Number.isSafeInteger(after) && !(await chatChanged(ctx, room, after))) {
      res.status(204).end();
      return;
    }
    renderFragment(res, 'chatMessages', await region(ctx, req, room));
  });

  // Without JS a form post, then the room again; with htmx the messages and an empty form.
  router.post('/entraide/:room', async (req, res) => {
    const agent = currentAgent(req);
    const room = await openRoom(ctx.db, agent, String(req.params.room));
    const typed = typedOf(req);
    try {
      await postChatMessage(ctx, agent, room.slug, parseInput(chatMessageSchema, typed));
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      res.status(err.status);
      if (isHtmx(req)) {
        res.set({ 'HX-Retarget': '#chat-form', 'HX-Reswap': 'outerHTML' });
        renderFragment(res, 'chatForm', chatForm(ctx, room, typed, err));
        return;
      }
      await renderRoom(ctx, req, res, room, chatForm(ctx, room, typed, err));
      return;
    }
    if (isHtmx(req)) {
      renderFragment(res, 'chatPosted', { chat: await region(ctx, req, room), form: { ...chatForm(ctx, room), sent: t('ui.chat.sent') } });
      return;
    }
    res.redirect(303, `/entraide/${room.slug}#chat-form`);
  });
  return router;
}
