// Public surface of @hotline12345/ivr-flows: the flow format and its validation,
// the interpreter and the call port it runs against, the default 12345 flow and
// the prompt catalogue. Everything else is internal.
export { defaultFlow } from "./default-flow.js";
export { DigitCollector, type DigitCollectorOptions } from "./digit-collector.js";
export { type FlowIssue, IvrError, IvrErrorCode } from "./errors.js";
export { type FetchClientOptions, fetchHttpClient } from "./http-client.js";
export {
  DEFAULT_MAX_STEPS,
  type FlowEnd,
  type FlowResult,
  type PathStep,
  type RunOptions,
  runFlow,
} from "./interpreter.js";
export type {
  CallbackRequest,
  CallerInfo,
  CallPort,
  Clock,
  CollectEnd,
  CollectOptions,
  CollectResult,
  EnqueueRequest,
  HangupCause,
  HttpClient,
  HttpRequest,
  HttpResponse,
  IvrEvent,
  PlayOptions,
  PlayResult,
  PromptRef,
  QueueOutcome,
  QueueStatus,
  SurveyLabel,
  SurveyRating,
  TimerHandle,
  TransferResult,
  TransferTarget,
  VoicemailRequest,
} from "./port.js";
export { systemClock } from "./port.js";
export {
  isPrompt,
  LANGUAGES,
  type PromptCatalogueName,
  type PromptEntry,
  promptCatalogue,
  promptFile,
} from "./prompts.js";
export {
  Flow,
  type FlowInput,
  FlowNode,
  flowJsonSchema,
  Language,
  type NodeOf,
  type VarValue,
  VERBS,
  type VerbName,
} from "./schema.js";
export {
  edgesOf,
  parseFlow,
  promptsOf,
  type ValidateOptions,
  type ValidationResult,
  validateFlow,
} from "./validate.js";
export { SURVEY_LABELS } from "./verbs/survey.js";
export { readWavInfo, type WavInfo } from "./wav.js";
