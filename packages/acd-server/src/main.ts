import { ConfigError, loadConfig } from "./config/config.js";
import { createLogger } from "./logging.js";
import { StartupRefused, startServer } from "./server.js";

/** The acd-server process: configuration from the environment, then serve until SIGTERM. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`acd-server: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, log);
  } catch (err) {
    if (err instanceof StartupRefused) {
      log.fatal(err.message);
      process.stderr.write(`acd-server: ${err.message}\n`);
      process.exit(3);
    }
    log.fatal({ err }, "start failed");
    process.exit(1);
  }
  const stop = (signal: string) => {
    log.info({ signal }, "stopping");
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

await main();
