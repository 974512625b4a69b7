// Which requests each named list holds: the views (rubriques), the search and the journal.
// The pages, the exports and the bulk actions' "all N requests of this list" read it here,
// so the three always mean the same rows.
import type { Agent } from '../../db/agents';
import { STATUSES } from '../../../workflows/definitions';
import { PARAMS, type Query } from '../listParams';
import type { ListSpec } from './listModel';
import { RUBRIQUES } from './rubriques';

export const SEARCH_VIEW = 'recherche';
export const JOURNAL_VIEW = 'journal';

function searched(query: Query): boolean {
  return Object.keys(query).some((k) => k !== PARAMS.sort && k !== PARAMS.dir && k !== PARAMS.page);
}

export function listSpecOf(view: string, agent: Agent, query: Query): ListSpec | null {
  const rubrique = RUBRIQUES.find((r) => r.slug === view);
  if (rubrique) {
    return { view, path: `/demandes/${rubrique.slug}`, fixed: rubrique.filter(agent), defaultSort: rubrique.defaultSort, columns: rubrique.columns };
  }
  if (view === SEARCH_VIEW) {
    // Closed requests are found too when the agent asks for no status in particular.
    const fixed = searched(query) && !query[PARAMS.status] ? { statuses: [...STATUSES] } : {};
    return { view, path: '/recherche', fixed, defaultSort: { sort: 'date', dir: 'desc' } };
  }
  if (view === JOURNAL_VIEW) {
    return {
      view, path: '/journal', fixed: { statuses: ['CLOTUREE'] }, defaultSort: { sort: 'closedAt', dir: 'desc' },
      columns: [{ sort: 'formType', key: 'formType' }, { sort: 'assignee', key: 'assignee' }, { sort: 'date', key: 'submittedAt' }, { sort: 'closedAt', key: 'closedAt' }],
    };
  }
  return null;
}

export { searched as hasCriteria };
