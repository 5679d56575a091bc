import type { CallOfferedEvent } from "@hotline12345/acd-server/events";
import { useTranslation } from "react-i18next";
import { formatDuration } from "../app/format.js";

export interface IncomingCallProps {
  offer: CallOfferedEvent;
  /** Seconds since the offer arrived here, added to the wait the server reported. */
  ringingSeconds: number;
  queueName?: string;
}

/** Who is calling: the caller as the server gives it (masked where the role requires), queue, wait, data. */
export function IncomingCall({ offer, ringingSeconds, queueName }: IncomingCallProps) {
  const { t } = useTranslation();
  const { ivrPath, ...attached } = offer.attached;
  return (
    <section className="incoming-call" aria-live="assertive" data-testid="incoming-call">
      {/* A colleague's consult carries the caller's data and who asks (consultFrom). */}
      <h2>
        {attached.consultFrom ? t("call.consultFrom", { agent: attached.consultFrom }) : t("call.incoming")}
      </h2>
      <dl>
        <dt>{t("call.caller")}</dt>
        <dd className="caller" data-testid="caller">
          {offer.caller}
        </dd>
        <dt>{t("call.queue")}</dt>
        <dd>{queueName ?? offer.queueId}</dd>
        <dt>{t("call.waited")}</dt>
        <dd>{formatDuration(offer.waitedSeconds + ringingSeconds)}</dd>
        {ivrPath && (
          <>
            <dt>{t("call.ivrPath")}</dt>
            <dd>{ivrPath}</dd>
          </>
        )}
      </dl>
      {Object.keys(attached).length > 0 && (
        <details open>
          <summary>{t("call.attached")}</summary>
          <dl className="attached">
            {Object.entries(attached).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </section>
  );
}
