// Requests of one citizen with a thread (messages, a form file, a message file), ready to
// merge: shared by the merge tests (tests/merge.test.ts, tests/hostile/mergeCrash.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { insertMessage } from '../../src/db/messages';
import type { Citizen } from '../../src/db/requests';
import { agentByCode, moveTo, submitRequest, type Filed } from './factories';
import type { Harness } from './harness';

let n = 0;

/** A citizen of their own for one test: an address nobody else uses. */
export function citizenOf(tag: string, extra: Partial<Citizen> = {}): Citizen {
  n += 1;
  return { firstName: 'Zélie', lastName: `Fusion-${tag}`, email: `zelie.${tag}.${n}@example.org`, ...extra };
}

/** A small PDF in the harness's data folder, as an upload. */
export function pdfUpload(h: Harness, name: string, field = 'justificatif') {
  const file = path.join(h.config.dataDir, `${name}-${Date.now()}-${Math.random()}.pdf`);
  fs.writeFileSync(file, `%PDF-1.4\n% ${name}\n`);
  return { field, path: file, fileName: `${name}.pdf`, size: fs.statSync(file).size };
}

/**
 * Three requests of `citizen`: the first with a form file, taken by amartin and given a
 * message with a file; the second untouched with a citizen's message; the third on hold.
 */
export async function threadedRequests(h: Harness, citizen: Citizen): Promise<Filed[]> {
  const amartin = await agentByCode(h, 'amartin');
  const first = await submitRequest(h, { citizen, uploads: [pdfUpload(h, 'formulaire-1')] });
  await moveTo(h, first.reference, 'EN_COURS', { agent: amartin });
  await insertMessage(h.db, { requestId: first.id, author: 'AGENT', agentId: amartin.id, visible: true, final: false, body: `Message de l'agent sur ${first.reference}` },
    { config: h.config, uploads: [pdfUpload(h, 'piece-message-1')] });
  const second = await submitRequest(h, { citizen });
  await insertMessage(h.db, { requestId: second.id, author: 'CITIZEN', agentId: null, visible: true, final: false, body: `Message de l'usager sur ${second.reference}` });
  const third = await submitRequest(h, { citizen });
  await moveTo(h, third.reference, 'EN_ATTENTE', { agent: amartin });
  await insertMessage(h.db, { requestId: third.id, author: 'AGENT', agentId: amartin.id, visible: false, final: false, body: `Note interne sur ${third.reference}` });
  return [first, second, third];
}
