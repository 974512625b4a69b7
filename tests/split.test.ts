// « Scinder » (issue 14, Athena §13): one request becomes two new ones, each holding a copy
// of all its messages and files and the agent's message, both assigned to the agent; the
// original gets a visible message, is closed (SCINDEE) and links to both; the citizen gets
// one e-mail with both references and tracking codes. Refusals change nothing; a race with
// a colleague's close withdraws what the split had written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { split } from '../src/commands/split';
import { writeMessage } from '../src/commands/writeMessage';
import { CommandError } from '../src/commands/errors';
import { writeParts } from '../src/db/splitParts';
import { insertSplit } from '../src/db/splits';
import { t } from '../src/i18n';
import { startOnce } from '../src/temporal/client';
import { splitWorkflow, splitWorkflowId } from '../workflows/split';
import { agentByCode, CITIZEN, moveTo, requestRow, submitRequest } from './support/factories';
import { PDF, PNG } from './support/files';
import { startHarness, waitFor, type Harness } from './support/harness';
import { leaksIn, readable, TABLES } from './support/personalData';
import { storedBytes, storedFileCount } from './support/storedFiles';
import { webClient } from './support/webClient';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { TRUST_PROXY: 'true', REFRESH_SECONDS: '3600' } });
});
// The folders of the files the tests upload, removed at the end.
const folders: string[] = [];

afterAll(async () => {
  await h?.close();
  folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
});

function upload(name: string, bytes: Buffer, field = 'fichiers') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-split-'));
  folders.push(dir);
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return { field, path: p, fileName: name, size: bytes.length };
}

/** A request under way with a form file, a visible message with a file, an internal note and the citizen's reply. */
async function requestWithThread(citizen = CITIZEN) {
  const filed = await submitRequest(h, { citizen, uploads: [upload('livret.png', PNG, 'livret')] });
  await moveTo(h, filed.reference, 'EN_COURS', { agent: 'amartin' });
  const amartin = await agentByCode(h, 'amartin');
  await writeMessage(h.ctx, amartin, filed.reference, { body: 'Merci de joindre la copie de vos deux demandes.', visible: true, finalCode: null, uploads: [upload('formulaire.pdf', PDF)] });
  await writeMessage(h.ctx, amartin, filed.reference, { body: 'Note : deux enfants, deux actes.', visible: false, finalCode: null });
  return filed;
}

const PARTS = ["L'acte de naissance de Léa.", "L'acte de naissance de Tom."];
const countRows = async (table: string) => Number((await h.db(table).count({ n: '*' }).first())!.n);

test('an agent splits a request from its page: two new requests with the whole thread, assigned to her; the original closed SCINDEE and pointing to both; one e-mail to the citizen', async () => {
  const filed = await requestWithThread();
  const original = await requestRow(h, filed.reference);
  const copiedFiles = await h.db('attachments').where({ request_id: original.id }).orderBy('id');
  expect(copiedFiles).toHaveLength(2);
  const mailsBefore = h.mails.length;

  const amartin = webClient(h.baseUrl, '10.92.0.1');
  await amartin.login('amartin');
  const page = `/demandes/${filed.reference}`;
  const shown = (await amartin.call('GET', page)).text;
  expect(shown).toContain('Autres opérations');
  expect(shown).toContain(`href="${page}/scinder"`);
  const form = (await amartin.call('GET', `${page}/scinder`)).text;
  expect(form).toContain(`Scinder la demande ${filed.reference}`);
  const posted = await amartin.call('POST', `${page}/scinder`, {
    _csrf: await amartin.csrf(`${page}/scinder`), premiere: PARTS[0], seconde: PARTS[1], message: 'Nous traitons vos deux actes séparément.',
  });
  expect(posted.status).toBe(303);
  expect(posted.headers.get('location')).toBe(page);

  const row = await h.db('splits').where({ original_request_id: original.id }).first();
  expect(row).toMatchObject({ status: 'DONE', first_message: null, second_message: null });
  const parts = await Promise.all([row.first_request_id, row.second_request_id].map(async (id: number) => (await h.db('requests').where({ id }).first()) as { id: number; reference: string; tracking_code: string }));
  const notice = (await amartin.call('GET', page)).text;
  expect(notice).toContain(t('ui.split.done', { reference: filed.reference, first: parts[0].reference, second: parts[1].reference }));

  // The original: closed as split, by her, and its page links to both parts (after its purge too).
  const closed = await waitFor(async () => {
    const r = await requestRow(h, filed.reference);
    return r.purged_at ? r : undefined;
  }, 20000, 'the original closed and purged');
  expect({ status: closed.status, code: closed.closing_code, assignee: closed.assignee_code }).toEqual({ status: 'CLOTUREE', code: 'SCINDEE', assignee: 'amartin' });
  expect((await h.db('events').where({ request_id: original.id }).orderBy('seq')).map((e) => e.type).at(-1)).toBe('CLOSED');
  const after = (await amartin.call('GET', page)).text;
  expect(after).toContain('Scindée en deux demandes :');
  for (const p of parts) {
    expect(after).toContain(`<a href="/demandes/${p.reference}">${p.reference}</a>`);
  }

  for (const [i, p] of parts.entries()) {
    const part = await waitFor(async () => {
      const r = await requestRow(h, p.reference);
      return r.status === 'EN_COURS' ? r : undefined;
    }, 15000, `part ${p.reference} under way`);
    expect({ assignee: part.assignee_code, group: part.group_id, form: part.form_type_id, citizen: part.citizen_id }).toEqual({
      assignee: 'amartin', group: original.group_id, form: original.form_type_id, citizen: original.citizen_id,
    });
    // All the original's messages, marked with its reference, then her message saying what this part is about.
    const thread = await h.db('messages').where({ request_id: p.id }).orderBy('created_at').orderBy('id');
    expect(thread.map((m) => [m.body, Boolean(m.visible), m.source_reference])).toEqual([
      ['Merci de joindre la copie de vos deux demandes.', true, filed.reference],
      ['Note : deux enfants, deux actes.', false, filed.reference],
      [PARTS[i], true, null],
    ]);
    // The files: copies of their own (the original's purge removed its folder), with the same bytes.
    const files = await h.db('attachments').where({ request_id: p.id }).orderBy('id');
    expect(files.map((f) => [f.file_name, f.field_key, f.message_id === null ? null : thread.findIndex((m) => m.id === f.message_id), f.source_reference])).toEqual([
      ['livret.png', 'livret', null, filed.reference],
      ['formulaire.pdf', null, 0, filed.reference],
    ]);
    expect((await storedBytes(h, files[0]))!.equals(PNG)).toBe(true);
    expect((await storedBytes(h, files[1]))!.equals(PDF)).toBe(true);
    expect(files.map((f) => f.storage_name)).not.toContain(copiedFiles[0].storage_name);
    expect((await h.db('request_personal').where({ request_id: p.id }).first()).last_name).toBe(CITIZEN.lastName);
    // Its page says where it comes from, and marks the copies.
    const partPage = (await amartin.call('GET', `/demandes/${p.reference}`)).text;
    expect(partPage).toContain(`Issue de la scission de la demande <a href="/demandes/${filed.reference}">${filed.reference}</a>`);
    expect(partPage).toContain(`Repris de ${filed.reference}`);
  }
  expect(await storedBytes(h, copiedFiles[0])).toBeUndefined();

  // One e-mail to the citizen: both references and tracking codes, her message and each part's; no receipt for the parts.
  const mail = await waitFor(() => h.mails.slice(mailsBefore).find((m) => m.subject === `Votre demande ${filed.reference} est suivie en deux demandes`), 20000, 'the split e-mail');
  expect(mail.to).toEqual([CITIZEN.email]);
  for (const [i, p] of parts.entries()) {
    expect(mail.text).toContain(`Demande ${p.reference} :\n${PARTS[i]}\nCode de suivi : ${p.tracking_code}`);
  }
  expect(mail.text).toContain('Nous traitons vos deux actes séparément.');
  expect(h.mails.slice(mailsBefore).filter((m) => m.to.includes(CITIZEN.email!))).toHaveLength(1);
  expect(h.mails.slice(mailsBefore).filter((m) => parts.some((p) => m.subject.includes(p.reference)))).toEqual([]);
  expect((await h.db('splits').where({ id: row.id }).first()).original_message).toBeNull();
});

test('the API splits too, and answers with the original and both parts; the original gets the default message when none is given', async () => {
  const filed = await submitRequest(h);
  const res = await h.api('POST', `/api/requests/${filed.reference}/split`, h.tokens.amartin, { parts: PARTS.map((message) => ({ message })) });
  expect(res.status).toBe(200);
  expect(res.body.original).toMatchObject({ reference: filed.reference, status: 'CLOTUREE', closingCode: 'SCINDEE' });
  expect(res.body.parts).toHaveLength(2);
  for (const part of res.body.parts) {
    expect(part).toMatchObject({ status: 'EN_COURS', assignee: { code: 'amartin' }, formType: 'acte-naissance' });
  }
  const mail = await waitFor(() => h.mails.find((m) => m.subject === `Votre demande ${filed.reference} est suivie en deux demandes`), 20000, 'the split e-mail');
  expect(mail.text).toContain(t('split.originalMessage', { first: res.body.parts[0].reference, second: res.body.parts[1].reference }));
});

test('refusals change nothing: a closed request, another group\'s, a colleague\'s, an empty part message, not two parts', async () => {
  const closed = await submitRequest(h);
  await moveTo(h, closed.reference, 'CLOTUREE', { agent: 'amartin' });
  const colleague = await submitRequest(h);
  await moveTo(h, colleague.reference, 'EN_COURS', { agent: 'bdurand' });
  const open = await submitRequest(h);
  const before = { requests: await countRows('requests'), splits: await countRows('splits'), messages: await countRows('messages') };
  const body = { parts: PARTS.map((message) => ({ message })) };

  const refused = async (reference: string, token: string, b: unknown) => (await h.api('POST', `/api/requests/${reference}/split`, token, b));
  expect((await refused(closed.reference, h.tokens.amartin, body))).toMatchObject({ status: 409, body: { error: { code: 'ALREADY_CLOSED' } } });
  expect((await refused(open.reference, h.tokens.cpetit, body))).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  expect((await refused(colleague.reference, h.tokens.amartin, body))).toMatchObject({ status: 403, body: { error: { code: 'SPLIT_HELD_BY_COLLEAGUE', message: t('errors.SPLIT_HELD_BY_COLLEAGUE') } } });
  expect((await refused(open.reference, h.tokens.amartin, { parts: [{ message: PARTS[0] }, { message: '   ' }] }))).toMatchObject({
    status: 400, body: { error: { code: 'INVALID_INPUT', field: 'parts.1.message', message: t('ui.invalid.splitMessage') } },
  });
  expect((await refused(open.reference, h.tokens.amartin, { parts: [{ message: PARTS[0] }] }))).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT', field: 'parts' } } });
  expect((await refused(open.reference, h.tokens.amartin, 'scinder'))).toMatchObject({ status: 400 });
  expect((await refused('DEM-0000-000000', h.tokens.amartin, body))).toMatchObject({ status: 404 });

  // The page: an empty part is said beside its field and in the summary, what was typed kept.
  const amartin = webClient(h.baseUrl, '10.92.0.2');
  await amartin.login('amartin');
  const url = `/demandes/${open.reference}/scinder`;
  const page = await amartin.call('POST', url, { _csrf: await amartin.csrf(url), premiere: PARTS[0], seconde: '', message: '' });
  expect(page.status).toBe(400);
  expect(page.text).toContain(`<title>Erreur : Scinder la demande ${open.reference}`);
  expect(page.text).toContain(`${t('ui.split.second')} : ${t('ui.invalid.splitMessage')}`);
  expect(page.text).toContain(PARTS[0]);
  // Another group's agent does not get the form; a closed request's page offers no « Scinder ».
  const cpetit = webClient(h.baseUrl, '10.92.0.3');
  await cpetit.login('cpetit');
  expect((await cpetit.call('GET', url)).status).toBe(403);
  expect((await amartin.call('GET', `/demandes/${closed.reference}`)).text).not.toContain('/scinder');

  expect({ requests: await countRows('requests'), splits: await countRows('splits'), messages: await countRows('messages') }).toEqual(before);
  expect((await requestRow(h, open.reference)).status).toBe('NON_TRAITEE');
  expect(await split(h.ctx, await agentByCode(h, 'amartin'), closed.reference, body).catch((e: CommandError) => e.code)).toBe('ALREADY_CLOSED');
});

test('a colleague closes the request while it is being split: the parts and the message are withdrawn, the split is refused, nothing else changed', async () => {
  const filed = await requestWithThread();
  const original = await requestRow(h, filed.reference);
  const amartin = await agentByCode(h, 'amartin');
  const before = await countRows('requests');
  // The split has written its parts (step 1) when the colleague's close lands, before its own Update.
  const splitId = (await insertSplit(h.db, { originalId: original.id, agentId: amartin.id, originalMessage: null, messages: [PARTS[0], PARTS[1]] }))!;
  const parts = (await writeParts(h.db, h.config, splitId))!;
  expect(await countRows('requests')).toBe(before + 2);
  // A second split of the same request meanwhile is refused at once.
  expect(await split(h.ctx, amartin, filed.reference, { parts: PARTS.map((message) => ({ message })) }).catch((e: CommandError) => e.code)).toBe('SPLIT_IN_PROGRESS');
  await moveTo(h, (await submitRequest(h)).reference, 'EN_COURS'); // unrelated traffic
  await h.api('POST', `/api/requests/${filed.reference}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: false });

  await startOnce(h.ctx.client, splitWorkflow, { workflowId: splitWorkflowId(h.config.referencePrefix, splitId), taskQueue: h.config.taskQueue, args: [{ splitId }] });
  const outcome = await h.ctx.client.workflow.getHandle(splitWorkflowId(h.config.referencePrefix, splitId)).result();
  expect(outcome).toEqual({ refused: 'ALREADY_CLOSED' });
  expect(await h.db('splits').where({ id: splitId }).first()).toMatchObject({ status: 'REFUSED', refusal: 'ALREADY_CLOSED', active_original_id: null, first_request_id: null, original_message: null });
  expect(await h.db('requests').whereIn('reference', parts.map((p) => p.reference))).toEqual([]);
  expect(await h.db('messages').whereIn('request_id', parts.map((p) => p.id))).toEqual([]);
  expect(await countRows('requests')).toBe(before + 1);
  for (const p of parts) {
    expect(await storedFileCount(h, [p.id])).toBe(0);
  }
  expect((await requestRow(h, filed.reference)).closing_code).toBe('TRAITEE');
});

test('after the purge of a split request and of its two parts, nothing personal remains: database, files, workflow histories (theirs and the split\'s)', async () => {
  const secrets = {
    firstName: 'Zéphyrin', lastName: 'Scindépoulos', email: 'zephyrin.scindepoulos@example.org', phone: '07 11 22 33 44',
    address: '9 impasse des Deux-Moitiés, 35000 Rennes', answer: 'réponse-scindée-17', body: 'message-fil-privé-23',
    first: 'première-partie-privée-31', second: 'seconde-partie-privée-37', original: 'message-origine-privé-41',
  };
  const leaks = (text: string) => leaksIn(secrets, text);
  const filed = await h.api('POST', '/api/requests', h.partnerKey, {
    formType: 'acte-naissance',
    citizen: { firstName: secrets.firstName, lastName: secrets.lastName, email: secrets.email, phone: secrets.phone, address: secrets.address },
    answers: { motif: secrets.answer },
  });
  const ref: string = filed.body.reference;
  expect((await h.api('POST', `/api/requests/${ref}/take`, h.tokens.amartin, { notifyCitizen: false })).status).toBe(200);
  await writeMessage(h.ctx, await agentByCode(h, 'amartin'), ref, { body: secrets.body, visible: true, finalCode: null, uploads: [upload('secret.pdf', PDF)] });
  const res = await h.api('POST', `/api/requests/${ref}/split`, h.tokens.amartin, { parts: [{ message: secrets.first }, { message: secrets.second }], message: secrets.original });
  expect(res.status).toBe(200);
  const references: string[] = [ref, ...res.body.parts.map((p: { reference: string }) => p.reference)];
  const ids = (await h.db('requests').whereIn('reference', references).select('id')).map((r: { id: number }) => Number(r.id));
  const splitId = Number((await h.db('splits').where({ original_request_id: ids[0] }).first('id')).id);
  await waitFor(() => h.mails.find((m) => m.subject === `Votre demande ${ref} est suivie en deux demandes`), 20000, 'the split e-mail');
  // Before the parts' close, their personal data is there (so the checks below can fail).
  expect(leaks(JSON.stringify(await h.db('messages').whereIn('request_id', ids)))).toEqual(expect.arrayContaining([secrets.body, secrets.first, secrets.second]));
  for (const part of references.slice(1)) {
    expect((await h.api('POST', `/api/requests/${part}/close`, h.tokens.amartin, { closingCode: 'TRAITEE', notifyCitizen: true })).status).toBe(200);
  }
  await waitFor(async () => (await h.db('requests').whereIn('id', ids).whereNull('purged_at')).length === 0, 30000, 'the three purged');

  for (const table of [...TABLES, 'messages', 'attachments', 'splits']) {
    const rows = await h.db(table).select('*');
    expect({ table, leaks: leaks(JSON.stringify(rows)) }).toEqual({ table, leaks: [] });
  }
  for (const id of ids) {
    expect(await storedFileCount(h, [id])).toBe(0);
  }
  // The page of the original still links to its parts: references are not personal.
  expect((await h.db('splits').where({ id: splitId }).first()).status).toBe('DONE');

  const workflows = [...references.map((r) => `request-${r}`), splitWorkflowId(h.config.referencePrefix, splitId)];
  for (const id of workflows) {
    const handle = h.ctx.client.workflow.getHandle(id);
    await waitFor(async () => (await handle.describe()).status.name === 'COMPLETED', 20000, `${id} completed`);
    const history = readable(await handle.fetchHistory());
    // A request closed with its closing e-mail is purged by sendThenPurge, one without it by purgePersonalData.
    const purgedBy = id.startsWith('split-') ? ['splitOriginal'] : ['purgePersonalData', 'sendThenPurge'];
    expect(purgedBy.some((activity) => history.includes(activity))).toBe(true);
    expect({ id, leaks: leaks(history) }).toEqual({ id, leaks: [] });
  }
});
