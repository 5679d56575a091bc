import { useTranslation } from "react-i18next";
import type { AgentTodayStats } from "../api/types.js";
import { formatDuration, formatRate, NONE } from "../app/format.js";

/** The agent's own figures for today, from the record (`GET /api/agents/me/stats`). */
export function TodayStats({ stats }: { stats: AgentTodayStats | null }) {
  const { t } = useTranslation();
  if (!stats) return <p>{t("desk.noItems")}</p>;
  const dur = (s: number | null) => (s === null ? NONE : formatDuration(s));
  const figures: Array<[string, string, string]> = [
    ["answered", t("stats.answered"), String(stats.answered)],
    ["talk", t("stats.averageTalk"), dur(stats.averageTalkSeconds)],
    ["wrap-up", t("stats.averageWrapUp"), dur(stats.averageWrapUpSeconds)],
    ["not-ready", t("stats.notReady"), formatDuration(stats.notReadySeconds)],
    ["utilisation", t("stats.utilisation"), formatRate(stats.utilisation)],
    [
      "satisfaction",
      t("stats.satisfaction"),
      stats.satisfaction.ratings === 0
        ? NONE
        : t("stats.satisfactionValue", {
            rate: formatRate(stats.satisfaction.satisfiedRate),
            count: stats.satisfaction.ratings,
          }),
    ],
  ];
  return (
    <dl className="today-stats" data-testid="today-stats">
      {figures.map(([key, label, value]) => (
        <div key={key} data-figure={key}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
