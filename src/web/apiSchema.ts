import { z } from 'zod';
import { CHANNELS } from '../db/requests';

// Validation messages in French, like the rest of the API's messages.
z.config(z.locales.fr());

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).optional().nullable();

export const submitSchema = z.object({
  formType: text(64),
  citizen: z.object({
    firstName: text(200),
    lastName: text(200),
    email: z.string().trim().email().max(254).optional().nullable(),
    phone: optionalText(64),
    address: optionalText(2000),
  }),
  answers: z.record(z.string(), z.unknown()).default({}),
  channel: z.enum(CHANNELS).default('web'),
});

const citizenEmail = {
  notifyCitizen: z.boolean(),
  subject: z.string().trim().max(500).optional(),
  body: z.string().max(20000).optional(),
};

export const takeSchema = z.object(citizenEmail);
export const holdSchema = z.object({
  reason: text(2000),
  until: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().nullable(),
  waitingForCitizen: z.boolean().default(false),
});
export const resumeSchema = z.object({}).passthrough();
export const reassignSchema = z.object({ agent: text(64) });
export const annotateSchema = z.object({ eventType: text(64), comment: z.string().max(5000).default('') });
export const closeSchema = z.object({ closingCode: text(64), ...citizenEmail });

/** The first problem of a failed parse, as `field: message`, the field named by its path. */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue.path.join('.') || 'body';
  return { field, message: `${field} : ${issue.message}` };
}

// Partners' webhooks: an http(s) URL that receives the deliveries.
export const webhookSchema = z.object({ url: z.url({ protocol: /^https?$/ }).max(2000) });
