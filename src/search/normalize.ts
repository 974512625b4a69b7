/** Lower case, no accents, single spaces: how names are stored for search and how queries are read. */
export function searchable(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
