import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { WallboardFigures } from "../api/types.js";
import { useEvents, useServices } from "../app/services.js";
import { HourlyChart } from "./HourlyChart.js";
import { QueueTable, WallFigures } from "./WallFigures.js";

/** The dispatch room's LED screen: fetched on (re)connect, then live from the `wallboard` push. */
export default function WallScreen() {
  const { t } = useTranslation();
  const { api } = useServices();
  const [figures, setFigures] = useState<WallboardFigures | null>(null);
  const resync = useCallback(async () => setFigures(await api.wallboard()), [api]);
  const link = useEvents(resync, (conn) => [conn.on("wallboard", setFigures)]);
  const labels = useMemo(
    () => ({ offered: t("wall.offered"), answered: t("wall.answered"), abandoned: t("wall.abandoned") }),
    [t],
  );
  return (
    <main className="wallboard">
      <header>
        <h1>{t("wall.title")}</h1>
        <span className={`link link-${link}`}>
          {link === "online" && figures
            ? t("wall.updated", { time: new Date(figures.at).toLocaleTimeString() })
            : t("app.offline")}
        </span>
      </header>
      <WallFigures figures={figures} />
      <div className="wall-bottom">
        <section>
          <h2>{t("wall.hourly")}</h2>
          <HourlyChart hourly={figures?.hourly ?? []} labels={labels} />
        </section>
        <section>
          <QueueTable figures={figures} />
        </section>
      </div>
    </main>
  );
}
