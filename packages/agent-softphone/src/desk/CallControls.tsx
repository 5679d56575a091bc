import { useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDuration } from "../app/format.js";
import type { PhoneCall } from "../phone/phone.js";

export interface CallControlsProps {
  call: PhoneCall | null;
  /** Seconds the call has been up. */
  upSeconds: number;
  onAnswer(): void;
  onHangup(): void;
  onHold(hold: boolean): void;
  onMute(mute: boolean): void;
  onDtmf(tone: string): void;
  onTransfer(): void;
  onConference(): void;
}

const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"] as const;

/** Answer, hang up, hold / retrieve, mute, keypad, transfer; tooltips name the shortcuts. */
export function CallControls(props: CallControlsProps) {
  const { t } = useTranslation();
  const [pad, setPad] = useState(false);
  const c = props.call;
  const up = c?.phase === "up";
  return (
    <section className="call-controls" data-testid="call-controls">
      <div className="call-status">
        {c ? (
          <>
            <span className="remote">{c.remote}</span>
            {up && <span className="duration"> · {formatDuration(props.upSeconds)}</span>}
            {c.held && <span className="badge">{t("call.onHold")}</span>}
            {c.muted && <span className="badge">{t("call.muted")}</span>}
          </>
        ) : (
          <span>{t("call.none")}</span>
        )}
      </div>
      <div className="buttons">
        <button
          type="button"
          className="answer"
          title={t("shortcuts.answer")}
          disabled={c?.phase !== "ringing"}
          onClick={props.onAnswer}
        >
          {t("call.answer")}
        </button>
        <button
          type="button"
          className="hangup"
          title={t("shortcuts.hangup")}
          disabled={!c || c.phase === "ended"}
          onClick={props.onHangup}
        >
          {t("call.hangup")}
        </button>
        <button
          type="button"
          title={t("shortcuts.hold")}
          disabled={!up}
          aria-pressed={c?.held ?? false}
          onClick={() => props.onHold(!c?.held)}
        >
          {c?.held ? t("call.retrieve") : t("call.hold")}
        </button>
        <button
          type="button"
          disabled={!up}
          aria-pressed={c?.muted ?? false}
          onClick={() => props.onMute(!c?.muted)}
        >
          {c?.muted ? t("call.unmute") : t("call.mute")}
        </button>
        <button type="button" disabled={!up} aria-expanded={pad} onClick={() => setPad(!pad)}>
          {t("call.dtmf")}
        </button>
        <button type="button" disabled={!up} onClick={props.onTransfer}>
          {t("call.transfer")}
        </button>
        <button type="button" disabled={!up} onClick={props.onConference}>
          {t("call.conference")}
        </button>
      </div>
      {pad && up && (
        <fieldset className="dtmf-pad" aria-label={t("call.dtmf")}>
          {keys.map((k) => (
            <button type="button" key={k} onClick={() => props.onDtmf(k)}>
              {k}
            </button>
          ))}
        </fieldset>
      )}
    </section>
  );
}
