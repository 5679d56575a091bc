/**
 * The Request-URI for a trunk (RFC 3261 §19.1.1): `sips:` over TLS, a `transport=tcp`
 * parameter over TCP, IPv6 hosts in brackets (RFC 5118 §4.1).
 */
export function trunkRequestUri(
  t: { host: string; port: number; transport: "udp" | "tcp" | "tls" },
  user?: string,
): string {
  const host = t.host.includes(":") && !t.host.startsWith("[") ? `[${t.host}]` : t.host;
  const scheme = t.transport === "tls" ? "sips" : "sip";
  const param = t.transport === "tcp" ? ";transport=tcp" : "";
  return `${scheme}:${user ? `${user}@` : ""}${host}:${t.port}${param}`;
}
