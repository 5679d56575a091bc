import { describeEngineContract } from "./contract.js";
import { embeddedEngine } from "./embedded.js";

// The port's contract against the embedded engine (packages/sip + packages/media in process).
describeEngineContract("embedded", embeddedEngine);
