export { type Config, ConfigError, configSchema, loadConfig } from "./config/config.js";
export { type ErrorBody, type ErrorCode, errorCatalogue, HotlineError } from "./errors.js";
export type * from "./events/catalogue.js";
export { createLogger } from "./logging.js";
export { type RunningServer, StartupRefused, startServer } from "./server.js";
export { openStore, type Store, type StoreOptions } from "./store/store.js";
