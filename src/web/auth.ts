import type { NextFunction, Request, Response } from 'express';
import { loadAgent, type Agent } from '../db/agents';
import type { Db } from '../db/connection';
import { findToken } from '../db/tokens';
import { CommandError } from '../commands/errors';
import { scopeOf } from '../partners/keys';
import type { Actor } from '../policies';

/** A partner may use only the form types of its key (`formTypeIds`); a telephony key only reports calls. */
export type Caller = { kind: 'agent'; agent: Agent } | { kind: 'partner'; name: string; tokenId: number; formTypeIds: number[] } | { kind: 'telephony'; name: string; tokenId: number };

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

/** Bearer credentials of the API: an agent token, a partner key or a telephony connector's key. */
export function bearer(db: Db, accepts: Caller['kind'][]) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match ? await findToken(db, match[1]) : undefined;
    let caller: Caller | undefined;
    if (token?.kind === 'agent' && token.agent_id !== null) {
      const agent = await loadAgent(db, token.agent_id);
      caller = agent ? { kind: 'agent', agent } : undefined;
    } else if (token?.kind === 'partner') {
      caller = { kind: 'partner', name: token.name, tokenId: token.id, formTypeIds: await scopeOf(db, token.id) };
    } else if (token?.kind === 'telephony') {
      caller = { kind: 'telephony', name: token.name, tokenId: Number(token.id) };
    }
    if (!caller) {
      next(CommandError.of(401, 'UNAUTHORIZED'));
      return;
    }
    if (!accepts.includes(caller.kind)) {
      next(CommandError.of(403, 'FORBIDDEN'));
      return;
    }
    req.caller = caller;
    next();
  };
}

export function agentOf(req: Request): Agent {
  if (req.caller?.kind !== 'agent') {
    throw CommandError.of(401, 'UNAUTHORIZED');
  }
  return req.caller.agent;
}

/** The caller as the policy knows it: the agent, the partner key and its form types, or the telephony key. */
export function actorOf(req: Request): Actor {
  if (!req.caller) {
    throw CommandError.of(401, 'UNAUTHORIZED');
  }
  return req.caller.kind === 'agent' ? req.caller.agent : req.caller;
}

export function telephonyOf(req: Request): Extract<Caller, { kind: 'telephony' }> {
  if (req.caller?.kind !== 'telephony') {
    throw CommandError.of(401, 'UNAUTHORIZED');
  }
  return req.caller;
}

export function partnerOf(req: Request): Extract<Caller, { kind: 'partner' }> {
  if (req.caller?.kind !== 'partner') {
    throw CommandError.of(401, 'UNAUTHORIZED');
  }
  return req.caller;
}
