import autocannon from 'autocannon';
import { latencies, type Latencies } from './stats';

export interface LoadOptions {
  connections: number;
  durationS: number;
  /** requests per second in all (autocannon's overallRate): a steady load instead of as fast as possible */
  rate?: number;
}

export interface IntakeResult extends Latencies {
  accepted: number;
  perSec: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** The body a partner portal posts: a citizen with an e-mail, so the receipt e-mail is part of the cost. */
export const SUBMISSION = {
  formType: 'acte-naissance',
  citizen: {
    firstName: 'Léa',
    lastName: 'Moreau',
    email: 'lea.moreau@example.org',
    phone: '06 12 34 56 78',
    address: '12 rue des Lilas\n44000 Nantes',
  },
  answers: { objet: "Demande d'acte de naissance", dateNaissance: '1990-04-12', nombreExemplaires: 2 },
};

function statusCounts(result: autocannon.Result): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    counts[code] = stat.count ?? 0;
  }
  return counts;
}

/** POST /api/requests with autocannon; only 201 answers count as accepted, and only theirs give latencies. */
export async function measureIntake(baseUrl: string, partnerKey: string, opts: LoadOptions): Promise<IntakeResult> {
  const samples: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: `${baseUrl}/api/requests`,
      method: 'POST',
      connections: opts.connections,
      duration: opts.durationS,
      headers: { authorization: `Bearer ${partnerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(SUBMISSION),
      ...(opts.rate ? { overallRate: opts.rate } : {}),
      // A start that takes longer than this is a failure for a citizen's browser anyway.
      timeout: 30,
    }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 201) {
        samples.push(responseTime);
      }
    });
  });
  const statusCodes = statusCounts(result);
  const accepted = statusCodes['201'] ?? 0;
  return {
    accepted,
    perSec: accepted / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    ...latencies(samples),
  };
}
