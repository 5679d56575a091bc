// Public surface of the ACD domain; the server imports only from here.

export {
  Acd,
  type AcdEvents,
  type AcdOptions,
  type AgentStateEvent,
  type AgentStats,
  type EndReason,
  type EnqueueRequest,
  type EnqueueResult,
  type LogoutReason,
  type QueueStats,
  type RequeueReason,
  validateConfig,
} from "./acd.js";
export {
  AGENT_TRANSITIONS,
  AgentState,
  assertTransition,
  CALL_STATES,
  canTransition,
} from "./agent-state.js";
export {
  type DayInfo,
  type DayKind,
  HolidayBook,
  isOpen,
  localParts,
  type OpenInterval,
  type OpenStatus,
  type ServiceCalendar,
  workdayCalendar,
} from "./calendar.js";
export { type Clock, FakeClock, systemClock, type TimerHandle } from "./clock.js";
export { erlangC, erlangCAsaMs, estimatedWaitMs, type WaitModelInput } from "./erlang.js";
export { AcdError, AcdErrorCode, acdErrorStatus } from "./errors.js";
export { type Listener, TypedEmitter } from "./events.js";
export { CN_HOLIDAY_SCHEDULES, CN_HOLIDAYS_2026, type HolidaySchedule } from "./holidays-cn.js";
export {
  type BlacklistAction,
  type BlacklistEntry,
  type ListEntryBase,
  type MatchKind,
  matchScore,
  type NumberPattern,
  normalizeNumber,
  type PriorityEntry,
  priorityFor,
  type ScreenResult,
  screenCaller,
  type WhitelistEntry,
} from "./lists.js";
export {
  type AgentTransition,
  applyTransition,
  compareItems,
  itemScore,
  type LiveState,
} from "./live-state.js";
export { MemoryLiveState } from "./memory-live-state.js";
export { RedisLiveState } from "./redis-live-state.js";
export * from "./types.js";
