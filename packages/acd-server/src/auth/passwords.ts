import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

// OWASP's scrypt floor (N=2^17, r=8, p=1) costs ~128 MiB and ~100 ms a hash; we use 2^15
// (32 MiB, ~30 ms) so that a shift change of 60 agents logging in at once does not stall
// the server, and keep the parameters in the stored string so they can be raised later.
const params = { N: 2 ** 15, r: 8, p: 1 };
const keyLength = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, keyLength, { ...params, maxmem: 64 * 1024 * 1024 });
  return ["scrypt", params.N, params.r, params.p, salt.toString("base64"), hash.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, hashB64] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, "base64");
  const actual = await scrypt(password, Buffer.from(saltB64, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A scrypt hash of nothing anybody can type, verified against when the user does not exist,
 * so that unknown and known users take the same time to be refused.
 */
export const decoyPasswordHash = await hashPassword(randomBytes(24).toString("base64"));

/**
 * Digest HA1 = H(username ":" realm ":" password) (RFC 2617 §3.2.2.2; RFC 8760 §2 for
 * SHA-256). Kept instead of the SIP password so the store never holds it in clear.
 */
export function sipHa1(algorithm: "MD5" | "SHA-256", user: string, realm: string, password: string): string {
  const h = createHash(algorithm === "MD5" ? "md5" : "sha256");
  return h.update(`${user}:${realm}:${password}`).digest("hex");
}
