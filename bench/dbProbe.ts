import type { Db } from '../src/db/connection';
import { insertRequest } from '../src/db/requests';
import { SUBMISSION } from './intake';
import { latencies, type Latencies } from './stats';

/**
 * The intake's database part alone: the same writes submit makes, with the same
 * concurrency, and no workflow start. Run last, because these rows have no
 * workflow (the worker would wait forever for their e-mails).
 */
export async function probeInsert(db: Db, prefix: string, concurrency: number, durationS: number): Promise<Latencies & { perSec: number }> {
  const formType = await db('form_types').where({ slug: SUBMISSION.formType }).first('id', 'service_id');
  const samples: number[] = [];
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const { id } = await insertRequest(db, {
        prefix,
        formTypeId: formType.id,
        serviceId: formType.service_id,
        citizen: SUBMISSION.citizen,
        answers: SUBMISSION.answers,
        channel: 'web',
        now: Date.now(),
      });
      // submit marks the request once its workflow is started; that write is part of the intake too.
      await db('requests').where({ id }).update({ workflow_started: true });
      samples.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { perSec: samples.length / ((performance.now() - started) / 1000), ...latencies(samples) };
}
