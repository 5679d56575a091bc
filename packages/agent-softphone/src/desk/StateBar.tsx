import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { AgentView, Language, NotReadyReason, SettableState, WrapUpAction } from "../api/types.js";
import { formatDuration, secondsSince, secondsUntil } from "../app/format.js";
import { useNow } from "../app/use-now.js";
import { stateActions } from "./state-actions.js";

export interface StateBarProps {
  /** The agent as the server last reported it; null while loading. */
  agent: AgentView | null;
  reasons: readonly NotReadyReason[];
  language: Language;
  /** Seconds one press of "extend" adds to wrap-up. */
  extendSeconds?: number;
  /** True while a state request is in flight: buttons are disabled, nothing changes locally. */
  busy?: boolean;
  onSetState(state: SettableState, reason?: string): void;
  onWrapUp(action: WrapUpAction): void;
}

/**
 * Ready / not ready (with a reason) / wrap-up countdown. Shows only what the server holds: a
 * click calls back to the page, which asks the server and renders the answer; nothing here
 * flips the state optimistically.
 */
export function StateBar(props: StateBarProps) {
  const { agent, reasons, language, busy = false, extendSeconds = 30 } = props;
  const { t } = useTranslation();
  const now = useNow(500);
  const [reason, setReason] = useState<string>("");
  if (!agent) return <div className="state-bar" aria-busy="true" />;
  const actions = stateActions(agent.state);
  const chosenReason = reason || reasons[0]?.code || "";
  const reasonLabel = (code: string | undefined) => {
    const r = reasons.find((x) => x.code === code);
    return r ? r.label[language] : (code ?? "");
  };
  return (
    <div className={`state-bar state-${agent.state}`} data-testid="state-bar">
      <span className="state-name" data-testid="state-name">
        {t(`state.${agent.state}`)}
        {agent.state === "NOT_READY" && agent.reason ? ` · ${reasonLabel(agent.reason)}` : ""}
      </span>
      {/* Without an end time from the server there is nothing to count down: show time in state. */}
      {agent.state === "WRAP_UP" && agent.wrapUpEndsAt ? (
        <span className="wrap-up-left" data-testid="wrap-up-left" role="timer">
          {t("state.wrapUpLeft", { time: formatDuration(secondsUntil(agent.wrapUpEndsAt, now)) })}
        </span>
      ) : (
        <span className="state-since" data-testid="state-since">
          {t("state.since", { time: formatDuration(secondsSince(agent.since, now)) })}
        </span>
      )}
      {actions.includes("login") && (
        <button
          type="button"
          disabled={busy}
          onClick={() => props.onSetState("NOT_READY", chosenReason || undefined)}
        >
          {t("state.login")}
        </button>
      )}
      {actions.includes("ready") && (
        <button type="button" disabled={busy} title="F8" onClick={() => props.onSetState("READY")}>
          {t("state.ready")}
        </button>
      )}
      {actions.includes("notReady") && (
        <span className="not-ready">
          <select
            aria-label={t("state.reason")}
            value={chosenReason}
            disabled={busy}
            onChange={(e) => setReason(e.target.value)}
          >
            {reasons.map((r) => (
              <option key={r.code} value={r.code}>
                {r.label[language]}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={busy}
            title="F8"
            onClick={() => props.onSetState("NOT_READY", chosenReason || undefined)}
          >
            {t("state.notReady")}
          </button>
        </span>
      )}
      {actions.includes("extend") && (
        <button
          type="button"
          disabled={busy}
          onClick={() => props.onWrapUp({ action: "extend", seconds: extendSeconds })}
        >
          {t("state.extend", { seconds: extendSeconds })}
        </button>
      )}
      {actions.includes("finish") && (
        <button type="button" disabled={busy} title="F8" onClick={() => props.onWrapUp({ action: "end" })}>
          {t("state.finish")}
        </button>
      )}
      {actions.includes("logout") && (
        <button type="button" disabled={busy} onClick={() => props.onSetState("LOGGED_OUT")}>
          {t("state.logout")}
        </button>
      )}
    </div>
  );
}
