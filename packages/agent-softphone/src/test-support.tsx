import type { ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import { createI18n, type Language } from "./i18n.js";

/** Wraps a component under test in its own i18n instance (no global state between tests). */
export function withI18n(node: ReactNode, lng: Language = "zh") {
  return <I18nextProvider i18n={createI18n(lng)}>{node}</I18nextProvider>;
}
