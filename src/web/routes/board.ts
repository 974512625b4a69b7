// « Tableau de bord »: the live figures of the groups an agent supervises (administrators:
// every group), redrawn by htmx every BOARD_REFRESH_SECONDS; the same figures as JSON at
// GET /api/supervision.
import express from 'express';
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import { boardOf, type CodeCount, type GroupBoard } from '../../db/board';
import { listGroups } from '../../db/groups';
import { frenchDate, parisIsoDay } from '../../dates';
import { t } from '../../i18n';
import { authorize, can } from '../../policies';
import { parisDay } from '../listParams';
import { presenceLabel } from './presenceControl';
import { renderPageOrPart } from './render';
import { currentAgent } from './session';
import { humanDuration } from './statistics';

export interface Board {
  at: number;
  /** today, the Paris day of today's figures */
  day: string;
  groups: GroupBoard[];
}

/** The board of the groups the agent supervises; refused (403) to an agent who supervises none. */
export async function boardFor(ctx: Ctx, agent: Agent, at = Date.now()): Promise<Board> {
  const groups = (await listGroups(ctx.db)).filter((g) => can(agent, 'supervise', g)).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  if (!groups.length) {
    // Supervising no group is refused as any group's board is: in the policy's words.
    authorize(agent, 'supervise', { id: 0 });
  }
  const day = parisIsoDay(at);
  const time = { now: at, dayStart: parisDay(day, false)!, dayEnd: parisDay(day, true)! };
  return { at, day, groups: await boardOf(ctx.db, groups.map((g) => ({ id: Number(g.id), name: g.name })), time) };
}

const codeRows = (codes: CodeCount[]) => codes.map((c) => ({ label: c.label || c.code, count: c.count }));

/** What views/partials/boardRegion.hbs shows of one group. */
function groupView(g: GroupBoard, at: number) {
  const { oldest } = g.waiting;
  const { soonest } = g.nearDeletion;
  return {
    ...g,
    anchor: `groupe-${g.id}`,
    oldest: oldest && { reference: oldest.reference, age: humanDuration(at - oldest.createdAt), iso: new Date(oldest.createdAt).toISOString(), date: frenchDate(oldest.createdAt, 'short') },
    soonest: soonest && { reference: soonest.reference, iso: new Date(soonest.deletionAt).toISOString(), date: frenchDate(soonest.deletionAt, 'short') },
    presence: g.presence.map((p) => ({ label: presenceLabel(p.presence), presence: p.presence, count: p.agents.length, names: p.agents.map((a) => a.name).join(', ') })),
    closedByCode: codeRows(g.today.closedByCode),
    calls: codeRows(g.today.callsByWrapUpCode),
  };
}

export function boardRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/supervision', async (req, res) => {
    const board = await boardFor(ctx, currentAgent(req));
    await renderPageOrPart(ctx, req, res, 'board', { board: 'boardRegion' }, {
      title: t('ui.board.title'),
      refreshSeconds: ctx.config.boardRefreshSeconds,
      updatedAt: frenchDate(board.at, 'seconds'),
      updatedIso: new Date(board.at).toISOString(),
      today: frenchDate(board.at, 'longDay'),
      groups: board.groups.map((g) => groupView(g, board.at)),
      several: board.groups.length > 1,
    });
  });
  return router;
}
