import pino, { type Logger } from "pino";
import type { Config } from "./config/config.js";

/** JSON lines for machines; pretty lines when a person watches a terminal. */
export function createLogger(
  config: Pick<Config, "log">,
  stream: NodeJS.WriteStream = process.stdout,
): Logger {
  const pretty = config.log.format === "pretty" || (config.log.format === "auto" && stream.isTTY === true);
  return pino({
    level: config.log.level,
    base: { service: "acd-server" },
    redact: {
      paths: ["req.headers.authorization", "password", "*.password", "refreshToken"],
      censor: "[redacted]",
    },
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } } }
      : {}),
  });
}
