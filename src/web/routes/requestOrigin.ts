// The breadcrumb of a request's page names the list the agent came from. The lists' links
// say which (?depuis=en-cours, recherche, accueil, journal, usager); only these names are
// read, so the link always leads to one of our pages. Without one, the rubrique where the
// request now stands. (The Referer is no help: the pages send none, see helmet.)
import type { Ctx } from '../../commands/context';
import type { Agent } from '../../db/agents';
import { citizenFileOf } from '../../db/citizens';
import type { RequestRow } from '../../db/requests';
import { t } from '../../i18n';
import { RUBRIQUES } from './rubriques';

export interface Origin {
  href: string;
  label: string;
  /** the search page: guichet.js puts back the criteria of the tab's last search */
  search?: boolean;
}

const rubrique = (slug: string): Origin | undefined => {
  const r = RUBRIQUES.find((x) => x.slug === slug);
  return r && { href: `/demandes/${r.slug}`, label: t(`ui.rubriques.${r.key}.title`) };
};

const PAGES: Record<string, Origin> = {
  accueil: { href: '/', label: t('ui.rubriques.home.title') },
  recherche: { href: '/recherche', label: t('ui.search.results'), search: true },
  journal: { href: '/journal', label: t('ui.journal.title') },
};

/** Where a request of this status is listed for this agent. */
function rubriqueOfStatus(agent: Agent, request: RequestRow): Origin {
  switch (request.status) {
    case 'NON_TRAITEE':
      return rubrique('non-traitees')!;
    case 'EN_COURS':
      return rubrique(request.assignee_id === agent.id ? 'en-cours' : 'du-service')!;
    case 'EN_ATTENTE':
      return rubrique('en-attente')!;
    default:
      return PAGES.journal;
  }
}

export async function originOf(ctx: Ctx, agent: Agent, request: RequestRow, given: unknown): Promise<Origin> {
  const name = typeof given === 'string' ? given : '';
  if (name === 'usager') {
    const file = await citizenFileOf(ctx.db, request.citizen_id, agent);
    if (file) {
      return { href: `/usagers/${file.public_id}`, label: t('ui.request.origin.citizenFile', { name: `${file.first_name} ${file.last_name}` }) };
    }
  }
  return rubrique(name) ?? (Object.hasOwn(PAGES, name) ? PAGES[name] : undefined) ?? rubriqueOfStatus(agent, request);
}
