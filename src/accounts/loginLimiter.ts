import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/connection';
import { dbRateLimiter } from '../db/rateLimits';

/** Failed logins allowed per window, per agent code and per client address. */
export const LOGIN_LIMITS = { perAccount: 5, perAddress: 20, windowSeconds: 15 * 60 };

/** Counts failed logins in the database (table login_attempts), across all web processes. */
export class LoginLimiter {
  private limiters?: Promise<{ account: RateLimiterAbstract; address: RateLimiterAbstract }>;

  constructor(private readonly db: Db) {}

  private build() {
    this.limiters ??= (async () => {
      const make = (keyPrefix: string, points: number) => dbRateLimiter(this.db, 'login_attempts', keyPrefix, points, LOGIN_LIMITS.windowSeconds);
      return { account: await make('account', LOGIN_LIMITS.perAccount), address: await make('address', LOGIN_LIMITS.perAddress) };
    })();
    return this.limiters;
  }

  /** Seconds until this code or address may try again, or 0 when it may now. */
  async blockedFor(code: string, address: string): Promise<number> {
    const { account, address: byAddress } = await this.build();
    const [a, b] = await Promise.all([account.get(code.toLowerCase()), byAddress.get(address)]);
    const wait = (res: RateLimiterRes | null, points: number) => (res && res.consumedPoints >= points ? Math.ceil(res.msBeforeNext / 1000) : 0);
    return Math.max(wait(a, LOGIN_LIMITS.perAccount), wait(b, LOGIN_LIMITS.perAddress));
  }

  async recordFailure(code: string, address: string): Promise<void> {
    const { account, address: byAddress } = await this.build();
    const consume = (limiter: RateLimiterAbstract, key: string) =>
      // A rejection only says the limit is now reached: blockedFor tells the next attempt.
      limiter.consume(key).catch((err: unknown) => {
        if (!(err instanceof RateLimiterRes)) {
          throw err;
        }
      });
    await Promise.all([code ? consume(account, code.toLowerCase()) : undefined, consume(byAddress, address)]);
  }

  /** A successful login clears its account's count; the address keeps its own. */
  async recordSuccess(code: string): Promise<void> {
    const { account } = await this.build();
    await account.delete(code.toLowerCase());
  }
}
