import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { AgentDesk } from "../desk/AgentDesk.js";
import { LoginPage } from "../login/LoginPage.js";
import { useServices, useSession } from "./services.js";

// Only the agent desk is in the initial bundle; the other pages (and ECharts, which only the wall
// screen uses) load when visited, so the desk stays small for home agents.
const SupervisorBoard = lazy(() => import("../supervisor/SupervisorBoard.js"));
const WallScreen = lazy(() => import("../wallboard/WallScreen.js"));
const AdminPages = lazy(() => import("../admin/AdminPages.js"));

export type Route = "desk" | "supervisor" | "wallboard" | "admin";

export function routeOf(pathname: string): Route {
  const first = pathname.split("/").filter(Boolean)[0] ?? "";
  return first === "supervisor" || first === "wallboard" || first === "admin" ? first : "desk";
}

export function App(props: { pathname: string }) {
  const { t } = useTranslation();
  const { api, language, setLanguage } = useServices();
  const session = useSession();
  // The SIP password lives in memory only; after a reload the desk asks for it again.
  const [sipPassword, setSipPassword] = useState<string | null>(null);
  const route = routeOf(props.pathname);

  if (!session) return <LoginPage onLoggedIn={setSipPassword} />;
  return (
    <div className={`app route-${route}`}>
      {route !== "wallboard" && (
        <header className="topbar">
          <span className="brand">{t("app.title")}</span>
          <nav>
            <a href="/">{t("call.incoming")}</a>
            {session.user.role !== "agent" && <a href="/supervisor">{t("supervisor.title")}</a>}
            {session.user.role !== "agent" && <a href="/wallboard">{t("wall.title")}</a>}
            {session.user.role === "admin" && <a href="/admin">{t("admin.title")}</a>}
          </nav>
          <span className="user">{session.user.displayName}</span>
          <button type="button" onClick={() => setLanguage(language === "zh" ? "en" : "zh")}>
            {t("app.language")}
          </button>
          <button type="button" onClick={() => void api.logout()}>
            {t("app.logout")}
          </button>
        </header>
      )}
      <Suspense fallback={<div className="loading" aria-busy="true" />}>
        {route === "desk" && (
          <AgentDesk session={session} sipPassword={sipPassword} onSipPassword={setSipPassword} />
        )}
        {route === "supervisor" && <SupervisorBoard session={session} sipPassword={sipPassword} />}
        {route === "wallboard" && <WallScreen />}
        {route === "admin" && <AdminPages />}
      </Suspense>
    </div>
  );
}
