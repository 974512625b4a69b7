import type { NextFunction, Request, Response } from 'express';
import { authorize, type AreaVerb } from '../../policies';
import { currentAgent } from './session';

/** Route middleware: the logged-in agent may do `verb` (an area, not one subject), or its refusal is the answer. */
export function authorized(verb: AreaVerb) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    authorize(currentAgent(req), verb);
    next();
  };
}
