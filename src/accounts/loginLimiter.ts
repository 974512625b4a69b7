import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/connection';
import { dbRateLimiter, takePoint, type Ticket } from '../db/rateLimits';

/**
 * Login attempts allowed per window. Counted per (account, address) first, so that one
 * address guessing an agent's password blocks only itself, not the agent at their desk;
 * per address, so that one address cannot try many accounts; and per account, high,
 * so that an account is locked only when many addresses guess it together (a
 * distributed attack needs at least perAccount / perAccountAddress addresses).
 */
export const LOGIN_LIMITS = { perAccountAddress: 5, perAddress: 20, perAccount: 50, windowSeconds: 15 * 60 };


/**
 * Counts login attempts in the database (table login_attempts), across all web
 * processes. An attempt is counted before its password is checked, atomically in the
 * store: twenty guesses sent at once get no more password checks than twenty in a row.
 */
export class LoginLimiter {
  private limiters?: Promise<Record<'address' | 'pair' | 'account', RateLimiterAbstract>>;

  constructor(private readonly db: Db) {}

  private build() {
    this.limiters ??= (async () => {
      const make = (keyPrefix: string, points: number) => dbRateLimiter(this.db, 'login_attempts', keyPrefix, points, LOGIN_LIMITS.windowSeconds);
      return {
        address: await make('address', LOGIN_LIMITS.perAddress),
        pair: await make('pair', LOGIN_LIMITS.perAccountAddress),
        account: await make('account', LOGIN_LIMITS.perAccount),
      };
    })();
    return this.limiters;
  }

  /**
   * Takes one attempt for this code from this address, or says how long to wait. In
   * order, stopping at the first refusal: an address already refused adds nothing to the
   * account's count, so a single address never locks the account.
   */
  async attempt(code: string, address: string): Promise<Ticket> {
    const { address: byAddress, pair, account } = await this.build();
    const account_ = code.toLowerCase();
    const steps: [RateLimiterAbstract, string][] = [[byAddress, address]];
    if (account_) {
      steps.push([pair, `${account_}|${address}`], [account, account_]);
    }
    for (const [limiter, key] of steps) {
      const ticket = await takePoint(limiter, key);
      if (!ticket.ok) {
        return ticket;
      }
    }
    return { ok: true };
  }

  /**
   * A right password: its attempt was no failure, so its points are given back; the
   * agent's own address starts afresh for this account.
   */
  async succeeded(code: string, address: string): Promise<void> {
    const { address: byAddress, pair, account } = await this.build();
    const account_ = code.toLowerCase();
    await Promise.all([byAddress.reward(address, 1), account.reward(account_, 1), pair.delete(`${account_}|${address}`)]);
  }
}
