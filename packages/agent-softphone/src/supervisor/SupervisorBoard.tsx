import type { AlarmEvent, QueueStatsEvent } from "@hotline12345/acd-server/events";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { AgentView, MonitorMode, NotReadyReason, Session } from "../api/types.js";
import { coalesce } from "../app/coalesce.js";
import { formatDuration, formatRate, secondsSince } from "../app/format.js";
import { useErrorText, useEvents, useServices } from "../app/services.js";
import { useNow } from "../app/use-now.js";
import { sipWsUrl } from "../desk/AgentDesk.js";
import { Phone, type PhoneStatus } from "../phone/phone.js";

export interface SupervisorBoardProps {
  session: Session;
  sipPassword: string | null;
}

/** How long after asking to monitor an INVITE from the server is taken as that monitor leg. */
const monitorAnswerWindowMs = 15_000;

/**
 * Live grid of agents and queues, alarms, and the supervisor's actions. The server calls the
 * supervisor's own SIP phone for listen / whisper / barge; that call is answered automatically
 * when it follows a monitor request made here.
 */
export default function SupervisorBoard({ session, sipPassword }: SupervisorBoardProps) {
  const { t } = useTranslation();
  const { api, serverUrl, language } = useServices();
  const errorText = useErrorText();
  const now = useNow(1000);
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [queues, setQueues] = useState<QueueStatsEvent[]>([]);
  const [reasons, setReasons] = useState<NotReadyReason[]>([]);
  const [alarms, setAlarms] = useState<AlarmEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [phoneStatus, setPhoneStatus] = useState<PhoneStatus>("stopped");
  const [monitoring, setMonitoring] = useState<{ callId: string; mode: MonitorMode } | null>(null);
  const monitorAskedAt = useRef(0);
  const phoneRef = useRef<Phone | null>(null);
  const audioRef = useRef<HTMLAudioElement | null>(null);

  // One grid fetch at a time however many pushes arrive (see coalesce).
  const refreshAgents = useMemo(() => coalesce(async () => setAgents(await api.agents())), [api]);
  const resync = useCallback(async () => {
    const [a, q, r] = await Promise.all([api.agents(), api.queueStats(), api.notReadyReasons()]);
    setAgents(a);
    setQueues(q);
    setReasons(r);
  }, [api]);

  const link = useEvents(resync, (conn) => [
    conn.on("agent.state", (e) => {
      setAgents((list) =>
        list.map((a) =>
          a.agentId === e.agentId ? { ...a, state: e.state, reason: e.reason, since: e.since } : a,
        ),
      );
      // The push carries no call id; fetch the grid so "current call" is what the server holds.
      void refreshAgents().catch(() => undefined);
    }),
    conn.on("queue.stats", (e) => setQueues((list) => [...list.filter((q) => q.queueId !== e.queueId), e])),
    conn.on("alarm", (e) => setAlarms((list) => [e, ...list].slice(0, 50))),
  ]);

  useEffect(() => {
    if (!sipPassword) return;
    const phone = new Phone({
      wsUrl: sipWsUrl(serverUrl, location),
      userId: session.user.userId,
      password: sipPassword,
      domain: import.meta.env.VITE_SIP_DOMAIN ?? "localhost",
    });
    phoneRef.current = phone;
    phone.on("status", setPhoneStatus);
    phone.on("incoming", () => {
      if (Date.now() - monitorAskedAt.current < monitorAnswerWindowMs) void phone.answer();
    });
    phone.on("ended", () => setMonitoring(null));
    phone.on("remoteStream", (s) => {
      if (audioRef.current) {
        audioRef.current.srcObject = s;
        void audioRef.current.play().catch(() => undefined);
      }
    });
    phone.start();
    return () => {
      phone.stop();
      phoneRef.current = null;
    };
  }, [sipPassword, serverUrl, session.user.userId]);

  const run = async (op: () => Promise<unknown>) => {
    setError(null);
    try {
      await op();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const monitor = (callId: string, mode: MonitorMode) => {
    monitorAskedAt.current = Date.now();
    void run(async () => {
      await api.monitor(callId, mode);
      setMonitoring({ callId, mode });
    });
  };

  const sorted = [...agents].sort((a, b) => a.agentId.localeCompare(b.agentId));
  return (
    <main className="supervisor">
      <div className="status-line">
        <span data-testid="phone-status">
          {phoneStatus === "registered" ? t("phone.registered") : t("phone.unregistered")}
        </span>
        {link !== "online" && <span role="status">{t("app.offline")}</span>}
        {monitoring && (
          <span className="badge">
            {t(`supervisor.${monitoring.mode}`)} · {monitoring.callId}{" "}
            <button type="button" onClick={() => phoneRef.current?.hangup()}>
              {t("call.hangup")}
            </button>
          </span>
        )}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <section>
        <h2>{t("supervisor.agents")}</h2>
        <table className="grid agents-grid">
          <thead>
            <tr>
              <th>{t("supervisor.agent")}</th>
              <th>{t("supervisor.state")}</th>
              <th>{t("supervisor.timeInState")}</th>
              <th>{t("supervisor.currentCall")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sorted.map((a) => (
              <tr key={a.agentId} className={`state-${a.state}`} data-testid={`agent-${a.agentId}`}>
                <td>
                  {a.agentId} {a.displayName}
                </td>
                <td>
                  {t(`state.${a.state}`)}
                  {a.reason
                    ? ` · ${reasons.find((r) => r.code === a.reason)?.label[language] ?? a.reason}`
                    : ""}
                </td>
                <td>{formatDuration(secondsSince(a.since, now))}</td>
                <td>{a.callId ?? ""}</td>
                <td className="actions">
                  {a.callId &&
                    (["listen", "whisper", "barge"] as const).map((m) => (
                      <button key={m} type="button" onClick={() => a.callId && monitor(a.callId, m)}>
                        {t(`supervisor.${m}`)}
                      </button>
                    ))}
                  {a.state !== "LOGGED_OUT" && a.state !== "NOT_READY" && (
                    <button
                      type="button"
                      onClick={() =>
                        void run(() => api.forceAgentState(a.agentId, "NOT_READY", "supervisor"))
                      }
                    >
                      {t("supervisor.forceNotReady")}
                    </button>
                  )}
                  {a.state !== "LOGGED_OUT" && (
                    <button
                      type="button"
                      onClick={() => void run(() => api.forceAgentState(a.agentId, "LOGGED_OUT"))}
                    >
                      {t("supervisor.forceLogout")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>{t("supervisor.queues")}</h2>
        <table className="grid">
          <thead>
            <tr>
              <th>{t("call.queue")}</th>
              <th>{t("supervisor.waiting")}</th>
              <th>{t("supervisor.longestWait")}</th>
              <th>{t("supervisor.agentsReady")}</th>
              <th>{t("supervisor.serviceLevel")}</th>
            </tr>
          </thead>
          <tbody>
            {[...queues]
              .sort((a, b) => a.queueId.localeCompare(b.queueId))
              .map((q) => (
                <tr key={q.queueId}>
                  <td>{q.queueId}</td>
                  <td>{q.waiting}</td>
                  <td>{formatDuration(q.longestWaitSeconds)}</td>
                  <td>{q.agentsReady}</td>
                  <td>{formatRate(q.serviceLevel)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>{t("supervisor.alarms")}</h2>
        {alarms.length === 0 ? (
          <p>{t("supervisor.noAlarms")}</p>
        ) : (
          <ul className="alarms">
            {alarms.map((a) => (
              <li key={a.id} className={`severity-${a.severity}`}>
                {new Date(a.at).toLocaleTimeString()} · {a.kind} · {a.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      {/* biome-ignore lint/a11y/useMediaCaption: live call audio has no captions */}
      <audio ref={audioRef} autoPlay />
    </main>
  );
}
