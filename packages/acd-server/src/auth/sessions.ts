import type { Logger } from "pino";
import { HotlineError } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Store } from "../store/store.js";
import { decoyPasswordHash, verifyPassword } from "./passwords.js";
import { FailureLimiter } from "./rate-limiter.js";
import { newSessionId, type Principal, type TokenPair, type TokenService } from "./tokens.js";

export interface LoginLimits {
  perUser: number;
  perAddress: number;
  windowSeconds: number;
}

/**
 * Login, refresh and logout. Unknown users, disabled users and wrong passwords all get the
 * same answer in the same time (a decoy hash is checked), so accounts cannot be enumerated.
 */
export class SessionService {
  private readonly byUser: FailureLimiter;
  private readonly byAddress: FailureLimiter;

  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    limits: LoginLimits,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    now: () => number = Date.now,
  ) {
    this.byUser = new FailureLimiter(limits.perUser, limits.windowSeconds * 1000, now);
    this.byAddress = new FailureLimiter(limits.perAddress, limits.windowSeconds * 1000, now);
  }

  async login(userId: string, password: string, sourceIp: string): Promise<TokenPair & { user: Principal }> {
    const wait = Math.max(this.byUser.blockedFor(userId), this.byAddress.blockedFor(sourceIp));
    if (wait > 0) {
      this.metrics.loginFailures.inc({ reason: "rate-limited" });
      throw new HotlineError("HOTLINE_ERR_RATE_LIMITED", `too many failed logins; try again in ${wait} s`, {
        retryAfterSeconds: wait,
      });
    }
    const user = await this.store.db
      .selectFrom("users")
      .select(["id", "display_name", "role", "password_hash", "enabled"])
      .where("id", "=", userId)
      .executeTakeFirst();
    const ok = await verifyPassword(password, user?.password_hash ?? decoyPasswordHash);
    if (!user || !ok || !user.enabled) {
      this.byUser.fail(userId);
      this.byAddress.fail(sourceIp);
      this.metrics.loginFailures.inc({ reason: "bad-credentials" });
      this.log.info({ userId, sourceIp }, "login refused");
      throw new HotlineError("HOTLINE_ERR_BAD_CREDENTIALS");
    }
    this.byUser.reset(userId);
    const principal: Principal = { userId: user.id, role: user.role, displayName: user.display_name };
    return { ...(await this.openSession(principal, sourceIp)), user: principal };
  }

  async refresh(refreshToken: string, sourceIp: string): Promise<TokenPair> {
    const { userId, sessionId } = await this.tokens.verifyRefresh(refreshToken);
    const session = await this.store.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .select([
        "sessions.revoked_at",
        "sessions.expires_at",
        "users.role",
        "users.display_name",
        "users.enabled",
      ])
      .where("sessions.id", "=", sessionId)
      .where("sessions.user_id", "=", userId)
      .executeTakeFirst();
    if (!session?.enabled) throw new HotlineError("HOTLINE_ERR_TOKEN_INVALID");
    if (session.revoked_at) {
      // A rotated-away refresh token used again: someone holds a copy. End every session of
      // this user (RFC 6819 §5.2.2.3, refresh token rotation).
      await this.revokeAll(userId);
      this.log.warn({ userId, sourceIp }, "refresh token reused; all sessions of the user revoked");
      throw new HotlineError("HOTLINE_ERR_TOKEN_INVALID");
    }
    await this.store.db
      .updateTable("sessions")
      .set({ revoked_at: new Date() })
      .where("id", "=", sessionId)
      .execute();
    return this.openSession({ userId, role: session.role, displayName: session.display_name }, sourceIp);
  }

  async logout(refreshToken: string): Promise<void> {
    const { sessionId } = await this.tokens.verifyRefresh(refreshToken);
    await this.store.db
      .updateTable("sessions")
      .set({ revoked_at: new Date() })
      .where("id", "=", sessionId)
      .where("revoked_at", "is", null)
      .execute();
  }

  async revokeAll(userId: string): Promise<void> {
    await this.store.db
      .updateTable("sessions")
      .set({ revoked_at: new Date() })
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .execute();
  }

  private async openSession(p: Principal, sourceIp: string): Promise<TokenPair> {
    const id = newSessionId();
    await this.store.db
      .insertInto("sessions")
      .values({
        id,
        user_id: p.userId,
        expires_at: new Date(Date.now() + this.tokens.refreshSeconds * 1000),
        source_ip: sourceIp,
      })
      .execute();
    return {
      accessToken: await this.tokens.issueAccess(p),
      refreshToken: await this.tokens.issueRefresh(p.userId, id),
      expiresIn: this.tokens.accessSeconds,
    };
  }
}
