// Generated bodies (fast-check) against the public form (multipart and urlencoded), the
// citizen's reply form and the JSON API (filing and the agents' actions): no answer is a
// 500, the process keeps answering, and nothing is half written: a refused body writes
// no row, an accepted one a whole request (or message) with all its files.
import fc from 'fast-check';
import { saveFormVersion } from '../../src/db/formVersions';
import { nameWords } from '../../src/db/nameWords';
import type { FieldDefinition } from '../../src/forms/fields';
import { replyToken } from '../../src/messages/secureLink';
import { PDF, PNG } from '../support/files';
import { client, filesOnDisk, multipart, rowCounts, stillServing, WRITTEN_TABLES } from '../support/hostileProbe';
import { startHarness, waitFor, type Harness } from '../support/harness';
import { storedFileCount } from '../support/storedFiles';

let h: Harness;
/**
 * Each property runs its count whole, so that a loaded CI runs the same cases as a quiet
 * machine (a time limit made the total depend on the load): about 2 minutes loaded.
 */
const RUNS = { actions: 150, multipart: 250, urlencoded: 300, reply: 300, submit: 900 };
const FORM: FieldDefinition[] = [
  { key: 'objet', label: 'Objet', type: 'text', required: true, maxLength: 50 },
  { key: 'motif', label: 'Motif', type: 'choice', required: false, options: ['Voirie', 'Éclairage'] },
  { key: 'pieces', label: 'Pièces', type: 'file', required: false },
];
const SLUG = 'signalement-voirie';
const tally: Record<string, { cases: number; statuses: Record<number, number> }> = {};

beforeAll(async () => {
  h = await startHarness({ env: { FORM_SUBMISSIONS_PER_HOUR: '65535', TRACKING_REQUESTS_PER_HOUR: '65535' } });
  const formType = await h.db('form_types').where({ slug: SLUG }).first('id');
  await saveFormVersion(h.db, formType.id, FORM, null);
});
afterAll(async () => {
  // eslint-disable-next-line no-console
  console.log(`fuzz cases: ${JSON.stringify(tally)}`);
  await h?.close();
});

function count(kind: string, status: number): void {
  const t = (tally[kind] ??= { cases: 0, statuses: {} });
  t.cases += 1;
  t.statuses[status] = (t.statuses[status] ?? 0) + 1;
}

const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(WRITTEN_TABLES.map((t) => [t, after[t] - before[t]]));
const NOTHING = Object.fromEntries(WRITTEN_TABLES.map((t) => [t, 0]));
/** What an accepted filing writes, but the words of its name (as many as the name has: lastRequestIsWhole counts them). */
const FILED = { ...NOTHING, requests: 1, request_personal: 1, events: 1 };
const besideWords = (changed: Record<string, number>) => ({ ...changed, request_name_words: 0 });

/** An answer of the server: never 5xx; the body is kept to say what went wrong. */
function refuseServerError(kind: string, status: number, text: string): void {
  count(kind, status);
  if (status >= 500) {
    throw new Error(`${kind} answered ${status}: ${text.slice(0, 300)}`);
  }
}

/** The newest request is whole: its personal row and the words of its name, its started workflow, its files in the store as in its rows. */
async function lastRequestIsWhole(files: number, words: number): Promise<void> {
  const r = await h.db('requests').orderBy('id', 'desc').first('id', 'workflow_started');
  expect(Boolean(r.workflow_started)).toBe(true);
  expect(await h.db('request_personal').where({ request_id: r.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  const person: { first_name: string; last_name: string } = await h.db('request_personal').where({ request_id: r.id }).first('first_name', 'last_name');
  const written: string[] = (await h.db('request_name_words').where({ request_id: r.id }).select('word')).map((w: { word: string }) => w.word);
  expect({ words, written: written.sort() }).toEqual({ words: written.length, written: nameWords(`${person.first_name} ${person.last_name}`).sort() });
  expect(Number((await h.db('attachments').where({ request_id: r.id }).count({ n: '*' }).first())!.n)).toBe(files);
  expect(await storedFileCount(h, [r.id])).toBe(files);
}

// ---- generators ---------------------------------------------------------------------

const oddText = fc.constantFrom('', ' ', 'Martin', 'Un trottoir abime', 'a@b.fr', 'x@', '06 12 34 56 78', '44000', 'Voirie', 'Éclairage',
  '<script>alert(1)</script>', "' OR 1=1 --", '\u0000', '%ff%fe', '../../etc/passwd', '{{constructor}}', '\r\n\r\n--', '\uD800', 'ﷺ'.repeat(30));
const value = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: oddText },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);
const fieldName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('nom', 'prenom', 'courriel', 'telephone', 'adresse-rue', 'adresse-code-postal', 'adresse-commune', 'objet', 'motif', 'pieces', 'site_internet') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'a[b]', 'a[0]', 'a[9999999]', 'objet[]', 'x'.repeat(300), '', 'é', '_csrf') },
  { weight: 1, arbitrary: fc.string({ maxLength: 15 }) },
);
const extras = fc.array(fc.tuple(fieldName, value), { maxLength: 8 });
const file = fc.record({
  field: fc.constantFrom('pieces', 'pieces', 'objet', 'fichiers', 'autre'),
  name: fc.oneof(fc.constantFrom('a.pdf', 'b.png', 'c.exe', '', '../../x.pdf', 'relevé.pdf', 'x"y.pdf'), fc.string({ maxLength: 20 })),
  type: fc.constantFrom('application/pdf', 'image/png', 'text/plain', 'application/octet-stream'),
  content: fc.oneof(fc.constant(PDF), fc.constant(PNG), fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a))),
});
/** What may happen to a well-built multipart body on its way. */
const damage = fc.oneof(
  { weight: 5, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('noBoundary' as const, 'otherBoundary' as const, 'noEnd' as const, 'garbageHead' as const, 'flipBytes' as const), at: fc.nat() }) },
);
const csrfUse = fc.constantFrom('good', 'good', 'good', 'none', 'bad');

const BOUNDARY = 'fuzzBoundary0Zx9';

function damaged(body: Buffer, d: { kind: string; at: number } | null): { body: Buffer; type: string } {
  const type = `multipart/form-data; boundary=${BOUNDARY}`;
  if (!d) return { body, type };
  switch (d.kind) {
    case 'truncate': return { body: body.subarray(0, d.at % Math.max(1, body.length)), type };
    case 'noBoundary': return { body, type: 'multipart/form-data' };
    case 'otherBoundary': return { body, type: 'multipart/form-data; boundary=autre' };
    case 'noEnd': return { body: body.subarray(0, Math.max(0, body.length - `--${BOUNDARY}--\r\n`.length)), type };
    case 'garbageHead': return { body: Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name\r\nX: \u0001\r\n\r\nx\r\n`), body]), type };
    default: {
      const copy = Buffer.from(body);
      for (let i = d.at % 7; i < copy.length; i += 13) copy[i] ^= 0x5a;
      return { body: copy, type };
    }
  }
}

const validIdentity: [string, string][] = [['nom', 'Martin'], ['prenom', 'Paul'], ['objet', 'Un trottoir abime']];

// ---- the API's agent actions (needs the worker: Updates) ------------------------------

describe('generated bodies', () => {
  it('API actions (take, hold, resume, reassign, annotate, close): no 500, a refused action changes nothing, an accepted one is what the answer says', async () => {
    const refs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Fuzz', lastName: `Action${i}`, email: `fuzz${i}@example.org` }, answers: {} });
      refs.push(res.body.reference);
    }
    const tokens = [h.tokens.amartin, h.tokens.bdurand, h.tokens.cpetit, h.partnerKey, 'gat_faux', null];
    const json = fc.oneof(
      { weight: 3, arbitrary: fc.record({
        notifyCitizen: fc.oneof(fc.boolean(), fc.constant('oui')),
        reason: fc.oneof(value, fc.constant(undefined)),
        until: fc.option(fc.constantFrom('2999-01-01', '1999-01-01', '2026-13-45', 'demain', '')),
        waitingForCitizen: fc.option(fc.boolean()),
        agent: fc.option(fc.constantFrom('amartin', 'bdurand', 'cpetit', 'inconnu', '')),
        eventType: fc.option(fc.constantFrom('NOTE', 'APPEL_TELEPHONIQUE', 'INCONNU', '')),
        comment: fc.option(value),
        closingCode: fc.option(fc.constantFrom('TRAITEE', 'SANS_SUITE', 'EXPIRED', 'INCONNU')),
        subject: fc.option(value),
        body: fc.option(value),
      }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 40 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    );
    const prop = fc.asyncProperty(
      fc.constantFrom('take', 'hold', 'resume', 'reassign', 'annotate', 'close'), fc.nat({ max: refs.length }), fc.constantFrom(...tokens), json,
      async (action, which, token, body) => {
        const ref = which < refs.length ? refs[which] : 'DEM-0000-000000';
        const state = async () => {
          const r = await h.db('requests').where({ reference: ref }).first('id', 'status', 'assignee_id', 'closing_code');
          if (!r) return null;
          const events = Number((await h.db('events').where({ request_id: r.id }).count({ n: '*' }).first())!.n);
          return { status: r.status, assignee: r.assignee_id, closing: r.closing_code, events };
        };
        const before = await state();
        const res = await fetch(`${h.baseUrl}/api/requests/${encodeURIComponent(ref)}/${action}`, {
          method: 'POST', body, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        });
        const text = await res.text();
        refuseServerError('actions', res.status, text);
        const after = await state();
        if (res.status === 200) {
          expect(JSON.parse(text).status).toBe(after!.status);
          expect(after!.events).toBeGreaterThan(before!.events);
        } else {
          expect(JSON.parse(text).error.message).toMatch(/\S/);
          expect(after).toEqual(before);
        }
      },
    );
    // One accepted case first (fast-check's examples): the accepted path is run whatever is drawn.
    await fc.assert(prop, { numRuns: RUNS.actions, examples: [['take', 0, h.tokens.amartin, JSON.stringify({ notifyCitizen: false })]] });
    expect(tally.actions.cases).toBeGreaterThanOrEqual(100);
    expect(tally.actions.statuses[200]).toBeGreaterThan(0);
    expect(await stillServing(h)).toBe(true);
  });

  describe('without the worker, so that nothing else writes while rows are counted', () => {
    beforeAll(async () => {
      await h.stopWorker();
    });

    it('the public form as multipart: no 500; refused writes nothing, accepted files a whole request', async () => {
      const citizen = client(h);
      const token = await citizen.csrf(`/formulaires/${SLUG}`);
      const prop = fc.asyncProperty(fc.boolean(), extras, fc.array(file, { maxLength: 3 }), csrfUse, damage, async (valid, more, files, csrf, harm) => {
        const parts = [
          ...(csrf === 'none' ? [] : [{ name: '_csrf', value: csrf === 'good' ? token : 'faux-jeton' }]),
          ...(valid ? validIdentity : []).map(([name, v]) => ({ name, value: v })),
          ...more.map(([name, v]) => ({ name, value: v })),
          ...files.map((f) => ({ name: f.field, value: f.content, filename: f.name, type: f.type })),
        ];
        const sent = damaged(multipart(BOUNDARY, parts), harm);
        const before = await rowCounts(h);
        const res = await citizen.call('POST', `/formulaires/${SLUG}`, { body: new Uint8Array(sent.body), headers: { 'content-type': sent.type } });
        refuseServerError('multipart', res.status, res.text);
        const changed = delta(await rowCounts(h), before);
        if (res.status === 303) {
          expect(res.headers.get('location')).toBe('/formulaires/confirmation');
          expect(besideWords({ ...changed, attachments: 0 })).toEqual(FILED);
          await lastRequestIsWhole(changed.attachments, changed.request_name_words);
        } else {
          expect(changed).toEqual(NOTHING);
        }
      });
      await fc.assert(prop, { numRuns: RUNS.multipart, examples: [[true, [], [], 'good', null]] });
      expect(tally.multipart.statuses[303]).toBeGreaterThan(0);
      await waitFor(() => filesOnDisk(h).uploads === 0, 5000, 'the upload folder emptied');
      expect(await stillServing(h)).toBe(true);
    });

    it('the public form as urlencoded: no 500; refused writes nothing, accepted files a whole request', async () => {
      const citizen = client(h);
      const token = await citizen.csrf(`/formulaires/${SLUG}`);
      const body = fc.oneof(
        { weight: 4, arbitrary: fc.tuple(fc.boolean(), extras, csrfUse).map(([valid, more, csrf]) => new URLSearchParams([
          ...(csrf === 'none' ? [] : [['_csrf', csrf === 'good' ? token : 'faux'] as [string, string]]), ...(valid ? validIdentity : []), ...more,
        ]).toString()) },
        { weight: 1, arbitrary: fc.tuple(fc.string({ unit: 'binary', maxLength: 200 }), fc.boolean()).map(([raw, withToken]) => (withToken ? `_csrf=${encodeURIComponent(token)}&` : '') + raw) },
      );
      const prop = fc.asyncProperty(body, fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded; charset=latin1', 'text/plain'), async (sent, type) => {
        const before = await rowCounts(h);
        const res = await citizen.call('POST', `/formulaires/${SLUG}`, { body: sent, headers: { 'content-type': type } });
        refuseServerError('urlencoded', res.status, res.text);
        const changed = delta(await rowCounts(h), before);
        if (res.status === 303) {
          expect(besideWords(changed)).toEqual(FILED);
          await lastRequestIsWhole(0, changed.request_name_words);
        } else {
          expect(changed).toEqual(NOTHING);
        }
      });
      await fc.assert(prop, { numRuns: RUNS.urlencoded, examples: [[new URLSearchParams([['_csrf', token], ...validIdentity]).toString(), 'application/x-www-form-urlencoded']] });
      expect(tally.urlencoded.statuses[303]).toBeGreaterThan(0);
      expect(await stillServing(h)).toBe(true);
    });

    it('the citizen\'s reply form: no 500; refused writes nothing, accepted writes one message with its files', async () => {
      const filed = await h.api('POST', '/api/requests', h.partnerKey, { formType: 'acte-naissance', citizen: { firstName: 'Fuzz', lastName: 'Reponse' }, answers: {} });
      const id = (await h.db('requests').where({ reference: filed.body.reference }).first('id')).id;
      const jeton = replyToken(h.config.sessionSecret, id);
      const url = `/suivi/${filed.body.trackingCode}/repondre`;
      const citizen = client(h);
      const token = await citizen.csrf(`${url}?jeton=${encodeURIComponent(jeton)}`);
      const prop = fc.asyncProperty(
        fc.constantFrom('good', 'good', 'bad', 'none'), fc.option(value), extras, fc.array(file.map((f) => ({ ...f, field: 'fichiers' })), { maxLength: 3 }), csrfUse, damage,
        async (link, text, more, files, csrf, harm) => {
          const parts = [
            ...(csrf === 'none' ? [] : [{ name: '_csrf', value: csrf === 'good' ? token : 'faux' }]),
            ...(link === 'none' ? [] : [{ name: 'jeton', value: link === 'good' ? jeton : `${jeton.slice(0, -2)}xx` }]),
            ...(text === null ? [] : [{ name: 'body', value: text }]),
            ...more.map(([name, v]) => ({ name, value: v })),
            ...files.map((f) => ({ name: f.field, value: f.content, filename: f.name, type: f.type })),
          ];
          const sent = damaged(multipart(BOUNDARY, parts), harm);
          const before = await rowCounts(h);
          const res = await citizen.call('POST', url, { body: new Uint8Array(sent.body), headers: { 'content-type': sent.type } });
          refuseServerError('reply', res.status, res.text);
          const changed = delta(await rowCounts(h), before);
          if (res.status === 200 && res.text.includes('Votre réponse a bien été transmise')) {
            expect({ ...changed, attachments: 0 }).toEqual({ ...NOTHING, messages: 1 });
            const last = await h.db('messages').orderBy('id', 'desc').first('id');
            expect(Number((await h.db('attachments').where({ message_id: last.id }).count({ n: '*' }).first())!.n)).toBe(changed.attachments);
          } else {
            expect(changed).toEqual(NOTHING);
          }
        },
      );
      await fc.assert(prop, { numRuns: RUNS.reply, examples: [['good', 'Voici la pièce demandée.', [], [], 'good', null]] });
      expect(Object.keys(tally.reply.statuses)).toContain('200');
      await waitFor(() => filesOnDisk(h).uploads === 0, 5000, 'the upload folder emptied');
      expect(await stillServing(h)).toBe(true);
    });

    it('POST /api/requests: no 500; refused writes nothing, accepted files a whole request', async () => {
      const citizenJson = fc.oneof(
        { weight: 3, arbitrary: fc.record({ firstName: value, lastName: value, email: fc.option(value), phone: fc.option(value), address: fc.option(fc.oneof(value, fc.record({ street: value, postalCode: value, city: value }))) }, { requiredKeys: ['firstName', 'lastName'] }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      );
      const json = fc.oneof(
        { weight: 4, arbitrary: fc.record({
          formType: fc.oneof({ weight: 4, arbitrary: fc.constant('acte-naissance') }, { weight: 2, arbitrary: fc.constantFrom('declaration-travaux', 'inconnue', '') }, { weight: 1, arbitrary: value }),
          citizen: citizenJson,
          answers: fc.oneof(fc.constant({}), fc.dictionary(fc.oneof(fieldName, fc.constantFrom('motif', 'date-naissance')), fc.oneof(value, fc.jsonValue({ maxDepth: 2 }))), fc.jsonValue({ maxDepth: 2 })),
        }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 40 }).map((v) => JSON.stringify(v)) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
      );
      const prop = fc.asyncProperty(json, fc.constantFrom(h.partnerKey, h.partnerKey, h.partnerKey, h.tokens.amartin, 'gpk_faux'), async (body, token) => {
        const before = await rowCounts(h);
        const res = await fetch(`${h.baseUrl}/api/requests`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
        const text = await res.text();
        refuseServerError('submit', res.status, text);
        const changed = delta(await rowCounts(h), before);
        if (res.status === 201) {
          expect(JSON.parse(text).status).toBe('NON_TRAITEE');
          expect(besideWords(changed)).toEqual(FILED);
          await lastRequestIsWhole(0, changed.request_name_words);
        } else {
          expect(JSON.parse(text).error.message).toMatch(/\S/);
          expect(changed).toEqual(NOTHING);
        }
      });
      await fc.assert(prop, { numRuns: RUNS.submit, examples: [[JSON.stringify({ formType: 'acte-naissance', citizen: { firstName: 'Ada', lastName: 'Lovelace' }, answers: {} }), h.partnerKey]] });
      expect(tally.submit.statuses[201]).toBeGreaterThan(0);
      expect(await stillServing(h)).toBe(true);
    });

    it('ran every generated case of every kind', () => {
      expect(Object.fromEntries(Object.entries(tally).map(([kind, t]) => [kind, t.cases]))).toEqual(RUNS);
    });
  });
});
