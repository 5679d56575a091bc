import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { ApiClient } from "./api/client.js";
import { createSessionStore } from "./api/session-store.js";
import type { Language } from "./api/types.js";
import { App } from "./app/App.js";
import { ServicesProvider } from "./app/services.js";
import { createI18n } from "./i18n.js";
import "./styles.css";

const languageKey = "hotline12345.language";
const initialLanguage: Language = localStorage.getItem(languageKey) === "en" ? "en" : "zh";
const i18n = createI18n(initialLanguage);
document.documentElement.lang = initialLanguage === "zh" ? "zh-CN" : "en";
const api = new ApiClient({ store: createSessionStore(sessionStorage) });

function Root() {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setLanguage = (lng: Language) => {
    localStorage.setItem(languageKey, lng);
    document.documentElement.lang = lng === "zh" ? "zh-CN" : "en";
    void i18n.changeLanguage(lng);
    setLanguageState(lng);
  };
  return (
    <I18nextProvider i18n={i18n}>
      <ServicesProvider value={{ api, serverUrl: "", language, setLanguage }}>
        <App pathname={location.pathname} />
      </ServicesProvider>
    </I18nextProvider>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
}
