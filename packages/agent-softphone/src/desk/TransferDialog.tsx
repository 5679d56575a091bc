import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toApiError } from "../api/errors.js";
import type { TransferMode, TransferTarget, TransferTargetKind } from "../api/types.js";
import { checkTarget, type TargetProblem } from "./transfer.js";

export interface TransferOption {
  id: string;
  label: string;
}

export interface TransferDialogProps {
  callId: string;
  agents: readonly TransferOption[];
  queues: readonly TransferOption[];
  /** Blind: the call leaves this desk. Attended: a consult call starts; complete or cancel follows. */
  onTransfer(callId: string, target: TransferTarget, mode: TransferMode): Promise<unknown>;
  onConsultComplete(callId: string): Promise<unknown>;
  onConsultCancel(callId: string): Promise<unknown>;
  onClose(): void;
  /**
   * Whether the consulted party has answered, as the server pushes it (`call.updated`); until
   * then completing is not offered. Unknown (undefined) = offered, the server decides.
   */
  consultAnswered?: boolean | undefined;
}

type Phase = { kind: "choose" } | { kind: "consulting"; target: TransferTarget };

/**
 * Transfer to an agent, a queue or an outside number, blind or attended. Attended runs
 * consult → complete (the caller goes to the target) or cancel (back to the caller).
 */
export function TransferDialog(props: TransferDialogProps) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<TransferTargetKind>("agent");
  const [mode, setMode] = useState<TransferMode>("blind");
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<TargetProblem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "choose" });

  const run = async (op: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await op();
      after();
    } catch (err) {
      const e = toApiError(err);
      setError(t(`errors.${e.code}`, { message: e.message, seconds: e.retryAfterSeconds ?? 0 }));
    } finally {
      setBusy(false);
    }
  };

  const submit = () => {
    const checked = checkTarget(kind, value);
    if (!checked.ok) {
      setProblem(checked.problem);
      return;
    }
    setProblem(null);
    const target = checked.target;
    void run(
      () => props.onTransfer(props.callId, target, mode),
      () => (mode === "blind" ? props.onClose() : setPhase({ kind: "consulting", target })),
    );
  };

  const options = kind === "agent" ? props.agents : kind === "queue" ? props.queues : [];
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="transfer-title" className="dialog transfer-dialog">
      <h2 id="transfer-title">{t("transfer.title")}</h2>
      {phase.kind === "choose" ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <fieldset>
            {(["agent", "queue", "number"] as const).map((k) => (
              <label key={k}>
                <input
                  type="radio"
                  name="kind"
                  value={k}
                  checked={kind === k}
                  onChange={() => {
                    setKind(k);
                    setValue("");
                    setProblem(null);
                  }}
                />
                {t(`transfer.${k}`)}
              </label>
            ))}
          </fieldset>
          <label htmlFor="transfer-target">{t("transfer.target")}</label>
          {kind === "number" || options.length === 0 ? (
            <input
              id="transfer-target"
              name="target"
              inputMode={kind === "number" ? "tel" : "text"}
              value={value}
              aria-invalid={problem !== null}
              onChange={(e) => setValue(e.target.value)}
            />
          ) : (
            <select
              id="transfer-target"
              name="target"
              value={value}
              aria-invalid={problem !== null}
              onChange={(e) => setValue(e.target.value)}
            >
              <option value="" />
              {options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
          {problem && (
            <p role="alert" className="field-error">
              {t(`transfer.${problem}`)}
            </p>
          )}
          <fieldset>
            {(["blind", "attended"] as const).map((m) => (
              <label key={m}>
                <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
                {t(`transfer.${m}`)}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={busy}>
            {mode === "blind" ? t("transfer.start") : t("transfer.consult")}
          </button>
          <button type="button" onClick={props.onClose} disabled={busy}>
            {t("transfer.close")}
          </button>
        </form>
      ) : (
        <div>
          <p data-testid="consulting">
            {t(props.consultAnswered === false ? "transfer.consultRinging" : "transfer.consulting", {
              target: phase.target.value,
            })}
          </p>
          <button
            type="button"
            disabled={busy || props.consultAnswered === false}
            onClick={() => void run(() => props.onConsultComplete(props.callId), props.onClose)}
          >
            {t("transfer.complete")}
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => void run(() => props.onConsultCancel(props.callId), props.onClose)}
          >
            {t("transfer.cancel")}
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
