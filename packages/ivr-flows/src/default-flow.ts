/**
 * The default 12345 flow, following GB/T 33358-2016 (政府热线服务规范): the call
 * is answered within 15 s and phone intake has no long IVR menu — a short
 * greeting, then straight into the Mandarin queue. During the greeting, 2 picks
 * English service; video callers (WebRTC caller page) go to sign-language
 * service. English and sign-language follow their calendars and outside hours
 * offer a callback or Mandarin service. Blacklisted callers hear a notice and
 * are released. After the agent hangs up the caller rates the call 1–5.
 *
 * Queues: general (Mandarin), english, sign-language. Calendars: english,
 * sign-language. Lists: black, priority.
 */
import type { FlowInput } from "./schema.js";

export const defaultFlow = {
  id: "hotline-12345",
  name: "12345 default flow",
  version: 1,
  description: "Greeting (2 = English), black list, calendars for English and sign-language, survey.",
  start: "screen",
  nodes: {
    screen: {
      verb: "condition",
      label: "Black list",
      test: { kind: "list", list: "black" },
      ifTrue: "blacklisted",
      ifFalse: "priority-check",
    },
    blacklisted: { verb: "hangup", prompts: ["blacklist-notice"], cause: "rejected" },
    "priority-check": {
      verb: "condition",
      label: "Priority list (designated numbers are answered first)",
      test: { kind: "list", list: "priority" },
      ifTrue: "set-priority",
      ifFalse: "video-check",
    },
    "set-priority": { verb: "set", vars: { priority: 10 }, next: "video-check" },
    "video-check": {
      verb: "condition",
      label: "Video callers are served in sign language",
      test: { kind: "caller", field: "media", op: "eq", value: "video" },
      ifTrue: "sign-hours",
      ifFalse: "greeting",
    },
    greeting: {
      verb: "menu",
      label: "Greeting; 2 during it selects English",
      prompts: ["greeting", "english-press-2"],
      keys: { "2": "to-english" },
      // A short grace after the greeting, no retries: anything else goes to the Mandarin queue.
      timeoutMs: 1500,
      retries: 0,
      noInput: "general",
      invalid: "general",
    },
    general: {
      verb: "enqueue",
      queue: "general",
      priority: "{{priority}}",
      data: { language: "zh", service: "general" },
      announce: { everyMs: 30_000, firstAfterMs: 0 },
      next: "survey",
      overflow: "general-overflow",
      callback: "goodbye",
    },
    "general-overflow": {
      verb: "callback-offer",
      prompts: ["callback-offer"],
      confirmPrompts: ["callback-confirm"],
      invalidPrompts: ["invalid-key"],
      queue: "general",
      accepted: "goodbye",
      declined: "general",
    },
    "to-english": { verb: "set", vars: { lang: "en" }, next: "english-hours" },
    "english-hours": {
      verb: "condition",
      test: { kind: "calendar", service: "english" },
      ifTrue: "english",
      ifFalse: "english-closed",
    },
    english: {
      verb: "enqueue",
      queue: "english",
      priority: "{{priority}}",
      data: { language: "en", service: "english" },
      announce: { everyMs: 30_000, firstAfterMs: 0 },
      next: "survey",
      overflow: "english-closed",
      callback: "goodbye",
    },
    "english-closed": {
      verb: "callback-offer",
      label: "English closed: 1 callback, 2 Mandarin",
      prompts: ["english-closed", "closed-hours-offer"],
      acceptKey: "1",
      declineKey: "2",
      confirmPrompts: ["callback-confirm"],
      invalidPrompts: ["invalid-key"],
      queue: "english",
      accepted: "goodbye",
      declined: "to-mandarin",
    },
    "to-mandarin": { verb: "set", vars: { lang: "zh" }, next: "general" },
    "sign-hours": {
      verb: "condition",
      test: { kind: "calendar", service: "sign-language" },
      ifTrue: "sign-language",
      ifFalse: "sign-closed",
    },
    "sign-language": {
      verb: "enqueue",
      queue: "sign-language",
      priority: "{{priority}}",
      data: { language: "zh", service: "sign-language" },
      next: "survey",
      overflow: "sign-closed",
      callback: "goodbye",
    },
    "sign-closed": {
      verb: "callback-offer",
      label: "Sign language closed: 1 callback, 2 Mandarin",
      prompts: ["sign-language-closed", "closed-hours-offer"],
      confirmPrompts: ["callback-confirm"],
      invalidPrompts: ["invalid-key"],
      queue: "sign-language",
      accepted: "goodbye",
      declined: "general",
    },
    survey: {
      verb: "survey",
      prompts: ["survey-question"],
      invalidPrompts: ["survey-invalid"],
      timeoutMs: 8000,
      retries: 2,
      next: "survey-end",
    },
    "survey-end": {
      verb: "condition",
      label: "Thank for a rating, else just say goodbye",
      test: { kind: "var", name: "survey_rating", op: "exists" },
      ifTrue: "thanks",
      ifFalse: "goodbye",
    },
    thanks: { verb: "hangup", prompts: ["survey-thanks"] },
    goodbye: { verb: "hangup", prompts: ["goodbye"] },
  },
} as const satisfies FlowInput;
