import type { EmailKind } from '../../db/emails';
import type { Db } from '../../db/connection';
import { saveTemplateOverride } from '../../db/emailTemplates';
import { templateProblem } from '../../mail/templates';
import { agentIdOf, authorize, type Actor } from '../../policies';
import { CommandError } from '../errors';

/** Saves an administrator's subject and body for a kind, once they render; every later e-mail of that kind uses them. */
export async function saveEmailTemplate(db: Db, actor: Actor, props: { kind: EmailKind; subject: string; body: string }): Promise<void> {
  authorize(actor, 'administer');
  const source = { subject: props.subject.trim(), body: props.body.replace(/\r\n?/g, '\n').trim() + '\n' };
  const problem = templateProblem(props.kind, source);
  if (problem) {
    throw new CommandError(400, 'INVALID_INPUT', problem, 'body');
  }
  await saveTemplateOverride(db, props.kind, source.subject, source.body, agentIdOf(actor));
}
