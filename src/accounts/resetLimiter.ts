import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/connection';
import { dbRateLimiter, takePoint } from '../db/rateLimits';

/**
 * "Mot de passe oublié ?" requests allowed per hour: per client address (whether or not
 * an account matched), and reset e-mails per account. Past either, nothing is sent and
 * the link already sent keeps working: nobody can flood an agent's mailbox or keep
 * voiding their link. The page says the same in every case (no account is revealed).
 */
export const RESET_LIMITS = { perAddress: 10, perAccount: 3, windowSeconds: 3600 };

/** Counted in the database (table login_attempts, prefixes of their own), across web processes. */
export class ResetLimiter {
  private limiters?: Promise<{ address: RateLimiterAbstract; account: RateLimiterAbstract }>;

  constructor(private readonly db: Db) {}

  private build() {
    this.limiters ??= (async () => ({
      address: await dbRateLimiter(this.db, 'login_attempts', 'reset-address', RESET_LIMITS.perAddress, RESET_LIMITS.windowSeconds),
      account: await dbRateLimiter(this.db, 'login_attempts', 'reset-account', RESET_LIMITS.perAccount, RESET_LIMITS.windowSeconds),
    }))();
    return this.limiters;
  }

  /** Takes one request of this address (atomically, before anything is looked up); false past the limit. */
  async forAddress(address: string): Promise<boolean> {
    return (await takePoint((await this.build()).address, address)).ok;
  }

  /** Takes one reset e-mail of this agent; false past the limit. */
  async forAccount(agentId: number): Promise<boolean> {
    return (await takePoint((await this.build()).account, String(agentId))).ok;
  }
}
