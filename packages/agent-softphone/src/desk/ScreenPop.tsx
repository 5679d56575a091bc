import { useTranslation } from "react-i18next";

/** The business system's page for the call, beside the desk. */
export function ScreenPopPanel(props: { url: string }) {
  const { t } = useTranslation();
  return (
    <aside className="screen-pop" aria-label={t("screenPop.title")}>
      <div className="screen-pop-bar">
        <span>{t("screenPop.title")}</span>
        <a href={props.url} target="_blank" rel="noopener noreferrer">
          {t("screenPop.openTab")}
        </a>
      </div>
      {/* sandbox: the business system runs its own scripts and forms but cannot reach this page. */}
      <iframe
        title={t("screenPop.title")}
        src={props.url}
        sandbox="allow-scripts allow-forms allow-same-origin allow-popups"
      />
    </aside>
  );
}
