/**
 * The prompt catalogue: every prompt name the flows may use, with its text in
 * each language. scripts/generate-prompts.sh reads this table (through
 * scripts/list-prompts.ts) and writes prompts/{zh,en}/<name>.wav with espeak-ng
 * and sox; recorded voice may replace any file under the same name.
 */
import { fileURLToPath } from "node:url";
import type { Language } from "./schema.js";

export interface PromptEntry {
  /** What the prompt says; `null` for generated tones (music on hold). */
  text: Record<Language, string> | null;
}

const digitsZh = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
const digitsEn = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const teensEn = [
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const tensEn = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

const numberPrompts: Record<string, PromptEntry> = {};
for (let d = 0; d <= 9; d++) {
  numberPrompts[`digit-${d}`] = { text: { zh: digitsZh[d] ?? "", en: digitsEn[d] ?? "" } };
}
for (let n = 10; n <= 19; n++) {
  numberPrompts[`num-${n}`] = {
    text: { zh: `十${n === 10 ? "" : digitsZh[n - 10]}`, en: teensEn[n - 10] ?? "" },
  };
}
for (let t = 2; t <= 9; t++) {
  numberPrompts[`num-${t * 10}`] = { text: { zh: `${digitsZh[t]}十`, en: tensEn[t] ?? "" } };
}

const t = (zh: string, en: string): PromptEntry => ({ text: { zh, en } });

export const promptCatalogue = {
  greeting: t(
    "您好，欢迎致电幺二三四五政务服务便民热线。",
    "Welcome to the 1 2 3 4 5 government service hotline.",
  ),
  // Heard by callers who do not (yet) understand Mandarin, so English in both files.
  "english-press-2": t("For English service, press 2.", "For English service, press 2."),
  "blacklist-notice": t(
    "您的号码已被限制呼入本热线，如有疑问，请通过其他渠道反映。再见。",
    "Your number has been barred from this hotline. Goodbye.",
  ),
  "please-hold": t("座席正忙，请您稍候。", "All our agents are busy. Please hold."),
  "queue-position-pre": t("您现在排在第", "You are number"),
  "queue-position-post": t("位。", "in the queue."),
  "wait-pre": t("预计等待时间约", "Your estimated waiting time is about"),
  "wait-minutes": t("分钟。", "minutes."),
  "english-closed": t("英语服务目前不在服务时间。", "The English service is closed now."),
  "sign-language-closed": t(
    "手语视频服务目前不在服务时间。",
    "The sign language video service is closed now.",
  ),
  "closed-hours-offer": t(
    "如需在服务时间回电，请按1；转普通话服务，请按2。",
    "To be called back when the service opens, press 1. For Mandarin service, press 2.",
  ),
  "callback-offer": t(
    "当前来电较多。如需稍后回电，请按1；继续等待，请按2。",
    "All our agents are busy. To be called back, press 1. To keep waiting, press 2.",
  ),
  "callback-confirm": t(
    "已为您登记回电，我们将尽快与您联系。",
    "Your callback is registered. We will call you back soon.",
  ),
  "survey-question": t(
    "请对本次服务进行评价。非常满意请按1，满意请按2，基本满意请按3，不满意请按4，非常不满意请按5。",
    "Please rate this call. Very satisfied, press 1. Satisfied, press 2. Neutral, press 3. Dissatisfied, press 4. Very dissatisfied, press 5.",
  ),
  "survey-thanks": t("感谢您的评价，再见。", "Thank you for your rating. Goodbye."),
  "survey-invalid": t("输入有误，请输入1到5。", "Please press a key from 1 to 5."),
  "invalid-key": t("输入有误，请重新选择。", "That key is not valid. Please try again."),
  "no-input": t("没有收到您的按键。", "We did not receive your choice."),
  "voicemail-intro": t(
    "请在提示音后留言，按井号键结束。",
    "Please leave a message after the tone. Press hash when finished.",
  ),
  "hold-music": { text: null },
  "agent-ready": t("已签入，示闲。", "Logged in and ready."),
  "agent-not-ready": t("已示忙。", "Not ready."),
  "agent-logged-out": t("已签出。", "Logged out."),
  "wrap-up-ended": t("整理结束，示闲。", "Wrap-up ended. Ready."),
  goodbye: t("感谢您的来电，再见。", "Thank you for calling. Goodbye."),
  "num-ten": t("十", "ten"),
  "num-hundred": t("百", "hundred"),
  "num-thousand": t("千", "thousand"),
  "num-ten-thousand": t("万", "ten thousand"),
  "num-million": t("百万", "million"),
  ...numberPrompts,
} satisfies Record<string, PromptEntry>;

export type PromptCatalogueName = keyof typeof promptCatalogue;

export const LANGUAGES: readonly Language[] = ["zh", "en"];

/** Absolute path of a prompt's WAV file (8 kHz mono 16-bit PCM) in this package. */
export function promptFile(name: string, lang: Language): string {
  return fileURLToPath(new URL(`../prompts/${lang}/${name}.wav`, import.meta.url));
}

export function isPrompt(name: string): name is PromptCatalogueName {
  return Object.hasOwn(promptCatalogue, name);
}
