import { useTranslation } from "react-i18next";
import type { CallHistoryEntry } from "../api/types.js";
import { formatDuration, NONE } from "../app/format.js";

/** A call's outcome in the reader's language; an outcome the desk does not know is shown as it is. */
function useOutcome() {
  const { t } = useTranslation();
  return (outcome: string | null) =>
    outcome ? t(`history.outcome.${outcome}`, { defaultValue: outcome }) : t("history.outcome.live");
}

const time = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
};
const day = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

/** The calls the agent answered, newest first: time, caller (as the server masked it), queue, talk, outcome, rating. */
export function CallHistory({
  entries,
  limit = 20,
}: {
  entries: readonly CallHistoryEntry[];
  limit?: number;
}) {
  const { t } = useTranslation();
  const outcome = useOutcome();
  if (entries.length === 0) return <p>{t("desk.noItems")}</p>;
  return (
    <table className="grid call-history" data-testid="call-history">
      <thead>
        <tr>
          <th>{t("history.time")}</th>
          <th>{t("call.caller")}</th>
          <th>{t("call.queue")}</th>
          <th>{t("history.talk")}</th>
          <th>{t("history.outcomeTitle")}</th>
          <th>{t("history.rating")}</th>
        </tr>
      </thead>
      <tbody>
        {entries.slice(0, limit).map((h) => (
          <tr key={h.callId}>
            <td title={h.startedAt}>{time(h.startedAt)}</td>
            <td>{h.caller}</td>
            <td>{h.queueId ?? NONE}</td>
            <td>{h.talkSeconds === null ? NONE : formatDuration(h.talkSeconds)}</td>
            <td>{outcome(h.outcome)}</td>
            <td>
              {h.rating === null
                ? NONE
                : t(`history.ratings.${h.rating}`, { defaultValue: String(h.rating) })}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Earlier calls from the number now calling, for the incoming-call panel. */
export function PreviousCalls({ entries }: { entries: readonly CallHistoryEntry[] | null }) {
  const { t } = useTranslation();
  const outcome = useOutcome();
  if (entries === null) return null;
  return (
    <section className="previous-calls" data-testid="previous-calls">
      <h3>{t("history.previous", { count: entries.length })}</h3>
      {entries.length === 0 ? (
        <p>{t("history.firstCall")}</p>
      ) : (
        <ul>
          {entries.map((h) => (
            <li key={h.callId}>
              {day(h.startedAt)} {time(h.startedAt)} · {h.queueId ?? NONE} · {h.agentId ?? NONE} ·{" "}
              {outcome(h.outcome)}
              {h.rating !== null &&
                ` · ${t(`history.ratings.${h.rating}`, { defaultValue: String(h.rating) })}`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
