import express from 'express';
import type { Ctx } from '../../commands/context';
import { statisticsOf, type Percentiles } from '../../db/statistics';
import { filterChoices } from '../../db/views';
import { t } from '../../i18n';
import { parisDay } from '../listParams';
import { renderPage } from './render';
import { currentAgent } from './session';
import { frenchDay, parisIsoDay } from '../../dates';

const DAY = 24 * 3600 * 1000;
const isoDay = parisIsoDay;

/** "2 j 4 h", "3 h 20 min", "45 min": a duration as an agent reads it. */
export function humanDuration(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} j ${hours % 24} h`;
}

const durationRow = (label: string, p: Percentiles) => ({ label, count: p.count, median: humanDuration(p.medianMs), p90: humanDuration(p.p90Ms) });

export function statisticsRoutes(ctx: Ctx): express.Router {
  const router = express.Router();
  router.get('/statistiques', async (req, res) => {
    const agent = currentAgent(req);
    const q = req.query as Record<string, unknown>;
    const value = (name: string) => (typeof q[name] === 'string' ? (q[name] as string).trim() : '');
    const errors: string[] = [];
    const today = isoDay(Date.now());
    const fromDay = value('du') || isoDay(Date.now() - 29 * DAY);
    const toDay = value('au') || today;
    let from = parisDay(fromDay, false);
    let to = parisDay(toDay, true);
    if (from === undefined || to === undefined || from >= to) {
      errors.push(t('ui.statistics.badPeriod'));
      from = parisDay(isoDay(Date.now() - 29 * DAY), false)!;
      to = parisDay(today, true)!;
    }
    const service = value('service');
    const formType = value('demarche');
    const stats = await statisticsOf(ctx.db, { groupIds: agent.groupIds, from, to, serviceSlug: service || undefined, formTypeSlug: formType || undefined });
    const choices = await filterChoices(ctx.db, agent.serviceIds);
    await renderPage(ctx, req, res, 'statistics', {
      title: t('ui.statistics.title'),
      errors,
      values: { du: fromDay, au: toDay, service, demarche: formType },
      services: choices.services.map((s) => ({ value: s.slug, label: s.name, selected: s.slug === service })),
      formTypes: choices.formTypes.map((f) => ({ value: f.slug, label: f.title, selected: f.slug === formType })),
      stats,
      daily: stats.daily.map((d) => ({ ...d, label: frenchDay(d.day, 'longWeekday') })),
      counters: ['received', 'taken', 'closed', 'expired', 'held', 'remindersSent'].map((key) => ({ label: t(`ui.statistics.counters.${key}`), value: stats[key as 'received'] })),
      durations: [durationRow(t('ui.statistics.timeToTake'), stats.timeToTake), durationRow(t('ui.statistics.timeToClose'), stats.timeToClose)],
      channels: stats.byChannel.map((c) => ({ label: t(`ui.statistics.channels.${c.channel}`), count: c.count })),
      // Read by /static/statistics.js to draw the charts; the same numbers are in the tables.
      chartData: JSON.stringify({
        daily: { labels: stats.daily.map((d) => frenchDay(d.day, 'weekday')), received: stats.daily.map((d) => d.received), closed: stats.daily.map((d) => d.closed) },
        channels: { labels: stats.byChannel.map((c) => t(`ui.statistics.channels.${c.channel}`)), counts: stats.byChannel.map((c) => c.count) },
        labels: { received: t('ui.statistics.counters.received'), closed: t('ui.statistics.counters.closed') },
      }).replace(/</g, '\\u003c'), // inside a <script> block: no tag may end it
    });
  });
  return router;
}
