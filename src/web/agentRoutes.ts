import express from 'express';
import type { Ctx } from '../commands/context';

export function agentRouter(_ctx: Ctx): express.Router {
  return express.Router();
}
