import { randomBytes } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { HotlineError } from "../errors.js";
import type { Role } from "../store/tables.js";

/** What an access token says about its bearer. */
export interface Principal {
  userId: string;
  role: Role;
  displayName: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

const issuer = "hotline12345";

/**
 * Session tokens: a short-lived access token (HS256 JWT) carried on every request and the
 * socket.io handshake, and a refresh token naming a session row, rotated on every use.
 */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string | undefined,
    readonly accessSeconds: number,
    readonly refreshSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = secret ? new TextEncoder().encode(secret) : randomBytes(32);
  }

  async issueAccess(p: Principal): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ role: p.role, name: p.displayName, typ: "access" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(issuer)
      .setSubject(p.userId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.accessSeconds)
      .sign(this.key);
  }

  async issueRefresh(userId: string, sessionId: string): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ typ: "refresh", sid: sessionId })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(issuer)
      .setSubject(userId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.refreshSeconds)
      .sign(this.key);
  }

  async verifyAccess(token: string): Promise<Principal> {
    const payload = await this.verify(token, "access");
    const role = payload.role;
    if (role !== "agent" && role !== "supervisor" && role !== "admin")
      throw new HotlineError("HOTLINE_ERR_TOKEN_INVALID");
    return {
      userId: payload.sub,
      role,
      displayName: typeof payload.name === "string" ? payload.name : payload.sub,
    };
  }

  async verifyRefresh(token: string): Promise<{ userId: string; sessionId: string }> {
    const payload = await this.verify(token, "refresh");
    if (typeof payload.sid !== "string") throw new HotlineError("HOTLINE_ERR_TOKEN_INVALID");
    return { userId: payload.sub, sessionId: payload.sid };
  }

  private async verify(token: string, typ: string): Promise<Record<string, unknown> & { sub: string }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer,
        algorithms: ["HS256"],
        currentDate: new Date(this.now()),
      });
      if (payload.typ !== typ || typeof payload.sub !== "string")
        throw new HotlineError("HOTLINE_ERR_TOKEN_INVALID");
      return payload as Record<string, unknown> & { sub: string };
    } catch (err) {
      if (err instanceof HotlineError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new HotlineError("HOTLINE_ERR_TOKEN_EXPIRED");
      throw new HotlineError("HOTLINE_ERR_TOKEN_INVALID");
    }
  }
}

export function newSessionId(): string {
  return randomBytes(18).toString("base64url");
}
