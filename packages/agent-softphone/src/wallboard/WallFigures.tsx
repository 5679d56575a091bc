import { useTranslation } from "react-i18next";
import type { AgentStateName, WallboardFigures } from "../api/types.js";
import { formatCount, formatDuration, formatRate, NONE } from "../app/format.js";
import {
  defaultThresholds,
  longestWaitTone,
  rateTone,
  type Thresholds,
  type Tone,
  waitingTone,
} from "./thresholds.js";

export interface WallFiguresProps {
  figures: WallboardFigures | null;
  thresholds?: Thresholds;
}

const shownStates: readonly AgentStateName[] = [
  "READY",
  "ON_CALL",
  "RINGING",
  "HOLD",
  "WRAP_UP",
  "NOT_READY",
];

function Figure(props: { id: string; label: string; value: string; tone: Tone }) {
  return (
    <div className={`figure tone-${props.tone}`} data-testid={`figure-${props.id}`} data-tone={props.tone}>
      <div className="figure-value">{props.value}</div>
      <div className="figure-label">{props.label}</div>
    </div>
  );
}

/** The big numbers of the wall screen. Pure: figures in, markup out. */
export function WallFigures({ figures: f, thresholds = defaultThresholds }: WallFiguresProps) {
  const { t } = useTranslation();
  return (
    <section className="wall-figures">
      <Figure
        id="waiting"
        label={t("wall.waiting")}
        value={formatCount(f?.waiting)}
        tone={f ? waitingTone(f.waiting, thresholds.waitingWarn) : "none"}
      />
      <Figure
        id="longest-wait"
        label={t("wall.longestWait")}
        value={f ? formatDuration(f.longestWaitSeconds) : NONE}
        tone={f ? longestWaitTone(f.longestWaitSeconds, thresholds.longestWaitBad) : "none"}
      />
      <Figure id="answered" label={t("wall.answered")} value={formatCount(f?.answeredToday)} tone="none" />
      <Figure id="abandoned" label={t("wall.abandoned")} value={formatCount(f?.abandonedToday)} tone="none" />
      <Figure
        id="rate15"
        label={t("wall.rate15")}
        value={formatRate(f?.answeredWithinThresholdRate)}
        tone={rateTone(f?.answeredWithinThresholdRate ?? null, thresholds.answeredWithin15s)}
      />
      <Figure
        id="answer-rate"
        label={t("wall.answerRate")}
        value={formatRate(f?.answerRate)}
        tone={rateTone(f?.answerRate ?? null, thresholds.answerRate)}
      />
      <Figure
        id="satisfaction"
        label={t("wall.satisfaction")}
        value={formatRate(f?.satisfactionRate)}
        tone={rateTone(f?.satisfactionRate ?? null, thresholds.satisfaction)}
      />
      <div className="agents-by-state" data-testid="agents-by-state">
        <div className="figure-label">{t("wall.agentsByState")}</div>
        <ul>
          {shownStates.map((s) => (
            <li key={s} className={`state-${s}`} data-testid={`agents-${s}`}>
              <span>{t(`state.${s}`)}</span> <b>{f ? (f.agentsByState[s] ?? 0) : NONE}</b>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

/** The per-queue table under the figures. */
export function QueueTable({ figures: f, thresholds = defaultThresholds }: WallFiguresProps) {
  const { t } = useTranslation();
  return (
    <table className="wall-queues">
      <thead>
        <tr>
          <th>{t("wall.queue")}</th>
          <th>{t("wall.waiting")}</th>
          <th>{t("wall.longestWait")}</th>
          <th>{t("wall.answered")}</th>
          <th>{t("wall.abandoned")}</th>
          <th>{t("wall.serviceLevel")}</th>
        </tr>
      </thead>
      <tbody>
        {(f?.queues ?? []).map((q) => (
          <tr key={q.queueId} data-testid={`queue-${q.queueId}`}>
            <td>{q.name}</td>
            <td className={`tone-${waitingTone(q.waiting, thresholds.waitingWarn)}`}>{q.waiting}</td>
            <td className={`tone-${longestWaitTone(q.longestWaitSeconds, thresholds.longestWaitBad)}`}>
              {formatDuration(q.longestWaitSeconds)}
            </td>
            <td>{q.answered}</td>
            <td>{q.abandoned}</td>
            <td className={`tone-${rateTone(q.serviceLevel, thresholds.answeredWithin15s)}`}>
              {formatRate(q.serviceLevel)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
