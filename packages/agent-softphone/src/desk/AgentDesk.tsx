import type { CallOfferedEvent, LiveCallView } from "@hotline12345/acd-server/events";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type {
  AgentTodayStats,
  AgentView,
  CallbackTask,
  CallHistoryEntry,
  NotReadyReason,
  Session,
  SettableState,
  WrapUpAction,
} from "../api/types.js";
import { secondsSince } from "../app/format.js";
import { useErrorText, useEvents, useServices } from "../app/services.js";
import { useNow } from "../app/use-now.js";
import { type MicDevice, type MicProblem, probeMicrophones } from "../phone/devices.js";
import { Phone, type PhoneCall, type PhoneStatus } from "../phone/phone.js";
import { Ringer } from "../phone/ringer.js";
import { CallControls } from "./CallControls.js";
import { CallHistory, PreviousCalls } from "./CallHistory.js";
import { IncomingCall } from "./IncomingCall.js";
import { ScreenPopPanel } from "./ScreenPop.js";
import { StateBar } from "./StateBar.js";
import {
  fillTemplate,
  isSafePopUrl,
  loadPopSettings,
  type PopSettings,
  popSettingsFor,
} from "./screen-pop.js";
import { useShortcuts } from "./shortcuts.js";
import { TodayStats } from "./TodayStats.js";
import { TransferDialog } from "./TransferDialog.js";
import { checkTarget } from "./transfer.js";

export interface AgentDeskProps {
  session: Session;
  sipPassword: string | null;
  onSipPassword(password: string): void;
}

/** The SIP domain the accounts live in (sip:<userId>@<domain>). */
const sipDomain: string = import.meta.env.VITE_SIP_DOMAIN ?? "localhost";

export function sipWsUrl(serverUrl: string, loc: Pick<Location, "protocol" | "host">): string {
  const base = serverUrl ? new URL(serverUrl) : null;
  const secure = (base?.protocol ?? loc.protocol) === "https:";
  return `${secure ? "wss" : "ws"}://${base?.host ?? loc.host}/sip`;
}

export function AgentDesk({ session, sipPassword, onSipPassword }: AgentDeskProps) {
  const { t } = useTranslation();
  const { api, serverUrl, language } = useServices();
  const errorText = useErrorText();
  const now = useNow(1000);

  const [agent, setAgent] = useState<AgentView | null>(null);
  const [reasons, setReasons] = useState<NotReadyReason[]>([]);
  const [offer, setOffer] = useState<{ event: CallOfferedEvent; at: number } | null>(null);
  const [call, setCall] = useState<PhoneCall | null>(null);
  const [callUpAt, setCallUpAt] = useState<number | null>(null);
  const [phoneStatus, setPhoneStatus] = useState<PhoneStatus>("stopped");
  const [mic, setMic] = useState<{ devices: MicDevice[]; problem: MicProblem | null }>({
    devices: [],
    problem: null,
  });
  const [micId, setMicId] = useState<string | undefined>(
    () => localStorage.getItem("hotline12345.mic") ?? undefined,
  );
  const [popSettings] = useState<PopSettings>(() => loadPopSettings(globalThis.localStorage));
  const [popUrl, setPopUrl] = useState<string | null>(null);
  const [dialog, setDialog] = useState<"transfer" | "conference" | null>(null);
  /** The live call as the server last pushed it (consult answered, held, …). */
  const [liveCall, setLiveCall] = useState<LiveCallView | null>(null);
  const [colleagues, setColleagues] = useState<Array<{ id: string; label: string }>>([]);
  useEffect(() => {
    if (!dialog) return;
    // Who can take a transfer now: ready colleagues, refreshed each time the dialog opens.
    api.agents().then(
      (all) =>
        setColleagues(
          all
            .filter((a) => a.agentId !== session.user.userId && a.state === "READY")
            .map((a) => ({ id: a.agentId, label: `${a.displayName} (${a.agentId})` })),
        ),
      () => setColleagues([]),
    );
  }, [dialog, api, session.user.userId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState<CallHistoryEntry[]>([]);
  const [stats, setStats] = useState<AgentTodayStats | null>(null);
  const [previous, setPrevious] = useState<{ callId: string; entries: CallHistoryEntry[] } | null>(null);
  const [callbacks, setCallbacks] = useState<CallbackTask[]>([]);
  const [dial, setDial] = useState("");
  const [passwordInput, setPasswordInput] = useState("");

  const phoneRef = useRef<Phone | null>(null);
  const ringerRef = useRef<Ringer | null>(null);
  const audioRef = useRef<HTMLAudioElement | null>(null);
  const micIdRef = useRef(micId);
  micIdRef.current = micId;
  const offerRef = useRef(offer);
  offerRef.current = offer;

  // Answers to agent fetches can overtake each other; only the latest request's answer is shown,
  // so an older view never replaces a newer one.
  const agentSeq = useRef(0);
  const fetchAgent = useCallback(async (): Promise<AgentView | null> => {
    const seq = ++agentSeq.current;
    const a = await api.myAgent();
    if (seq !== agentSeq.current) return null;
    setAgent(a);
    return a;
  }, [api]);
  const refreshAgent = useCallback(async () => {
    await fetchAgent();
  }, [fetchAgent]);

  // Everything shown comes from the server: fetched on every (re)connect, then kept by pushes.
  const resync = useCallback(async () => {
    const started = Date.now();
    const [a, r] = await Promise.all([fetchAgent(), api.notReadyReasons()]);
    setReasons(r);
    // A view fetched before an offer arrived says nothing about that offer: clear only older ones.
    if (a && !a.callId) setOffer((o) => (o && o.at < started ? null : o));
    // History and callbacks are extras: a server without them must not break the desk.
    api.history().then(setHistory, () => setHistory([]));
    api.myStats().then(setStats, () => setStats(null));
    api.callbacks().then(setCallbacks, () => setCallbacks([]));
  }, [api, fetchAgent]);

  const pop = useCallback(
    (o: CallOfferedEvent) => {
      if (!o.screenPopUrl) return;
      const url = fillTemplate(o.screenPopUrl, { callId: o.callId, caller: o.caller, attached: o.attached });
      if (!isSafePopUrl(url)) return;
      if (popSettingsFor(o, popSettings).mode === "tab") window.open(url, "_blank", "noopener");
      else setPopUrl(url);
    },
    [popSettings],
  );

  const link = useEvents(resync, (conn) => [
    conn.on("agent.state", (e) => {
      if (e.agentId !== session.user.userId) return;
      // The push names the new state; the full view (wrap-up end, call id) comes from the server.
      void refreshAgent().catch(() => undefined);
    }),
    conn.on("call.offered", (e) => {
      setOffer({ event: e, at: Date.now() });
      setPopUrl(null);
      if (popSettingsFor(e, popSettings).when === "offer") pop(e);
      // Earlier calls from this caller: an extra, a server without them leaves the panel out.
      setPrevious(null);
      api.previousCalls(e.callId).then(
        (entries) => setPrevious({ callId: e.callId, entries }),
        () => undefined,
      );
    }),
    conn.on("call.updated", (v) => setLiveCall(v.ended ? null : v)),
    conn.on("call.ended", (e) => {
      if (offerRef.current?.event.callId === e.callId) setOffer(null);
      void refreshAgent().catch(() => undefined);
      api.history().then(setHistory, () => undefined);
      api.myStats().then(setStats, () => undefined);
    }),
  ]);

  // The SIP phone: one per signed-in agent with a known password.
  useEffect(() => {
    if (!sipPassword) return;
    const phone = new Phone({
      wsUrl: sipWsUrl(serverUrl, location),
      userId: session.user.userId,
      password: sipPassword,
      domain: sipDomain,
      displayName: session.user.displayName,
      micDeviceId: () => micIdRef.current,
    });
    const ringer = new Ringer();
    phoneRef.current = phone;
    ringerRef.current = ringer;
    phone.on("status", setPhoneStatus);
    phone.on("incoming", (c) => {
      setCall({ ...c });
      ringer.start();
    });
    phone.on("changed", (c) => {
      if (c.phase !== "ringing") ringer.stop();
      if (c.phase === "up") {
        setCallUpAt((at) => at ?? Date.now());
        const o = offerRef.current?.event;
        if (o && popSettingsFor(o, popSettings).when === "answer") pop(o);
      }
      setCall({ ...c });
    });
    phone.on("ended", (c) => {
      ringer.stop();
      // The offer belonged to this call: its panel goes with it (the screen pop stays for wrap-up).
      if (c.callId && offerRef.current?.event.callId === c.callId) setOffer(null);
      setCall(null);
      setCallUpAt(null);
      if (audioRef.current) audioRef.current.srcObject = null;
    });
    phone.on("remoteStream", (stream) => {
      if (audioRef.current) {
        audioRef.current.srcObject = stream;
        void audioRef.current.play().catch(() => undefined);
      }
    });
    phone.start();
    return () => {
      ringer.stop();
      phone.stop();
      phoneRef.current = null;
      ringerRef.current = null;
    };
  }, [sipPassword, serverUrl, session.user.userId, session.user.displayName, pop, popSettings]);

  useEffect(() => {
    let live = true;
    void probeMicrophones().then((r) => {
      if (!live) return;
      setMic(r.ok ? { devices: r.devices, problem: null } : { devices: [], problem: r.problem });
    });
    return () => {
      live = false;
    };
  }, []);

  const act = async (op: () => Promise<AgentView>) => {
    setBusy(true);
    setError(null);
    try {
      const a = await op();
      // The answer to our own change is the newest view; outdate any fetch still in flight.
      agentSeq.current++;
      setAgent(a);
    } catch (err) {
      setError(errorText(err));
      // Whatever happened, show what the server now holds.
      void refreshAgent().catch(() => undefined);
    } finally {
      setBusy(false);
    }
  };
  const setState = (state: SettableState, reason?: string) => void act(() => api.setMyState(state, reason));
  const wrapUp = (action: WrapUpAction) => void act(() => api.wrapUp(action));

  // Read at the moment of use: the phone is created in an effect, after the first render.
  const phone = () => phoneRef.current;
  useShortcuts((action) => {
    if (action === "answer") void phone()?.answer();
    else if (action === "hangup") phone()?.hangup();
    else if (action === "hold" && call?.phase === "up") {
      if (call.held) phone()?.retrieve();
      else phone()?.hold();
    } else if (action === "ready" && agent && !busy) {
      if (agent.state === "READY") setState("NOT_READY", reasons[0]?.code);
      else if (agent.state === "NOT_READY") setState("READY");
      else if (agent.state === "WRAP_UP") wrapUp({ action: "end" });
    }
  });

  const callId = call?.callId ?? offer?.event.callId ?? agent?.callId ?? null;
  const dialCheck = checkTarget("number", dial);

  return (
    <div className="desk">
      <StateBar
        agent={agent}
        reasons={reasons}
        language={language}
        busy={busy}
        onSetState={setState}
        onWrapUp={wrapUp}
      />
      <div className="status-line">
        <span className={`phone-status phone-${phoneStatus}`} data-testid="phone-status">
          {phoneStatus === "registered"
            ? t("phone.registered")
            : phoneStatus === "failed"
              ? t("phone.failed")
              : phoneStatus === "connecting"
                ? t("phone.connecting")
                : t("phone.unregistered")}
        </span>
        {link !== "online" && (
          <span className="link-status" role="status">
            {t("app.offline")}
          </span>
        )}
        <span className="shortcuts" title={t("shortcuts.title")}>
          {[t("shortcuts.answer"), t("shortcuts.hangup"), t("shortcuts.hold"), t("shortcuts.ready")].join(
            " · ",
          )}
        </span>
      </div>
      {!sipPassword && (
        <form
          className="sip-password"
          onSubmit={(e) => {
            e.preventDefault();
            if (passwordInput) onSipPassword(passwordInput);
          }}
        >
          <label>
            {t("login.password")} ({t("phone.unregistered")})
            <input type="password" value={passwordInput} onChange={(e) => setPasswordInput(e.target.value)} />
          </label>
          <button type="submit">{t("login.submit")}</button>
        </form>
      )}
      {mic.problem && (
        <p role="alert" className="mic-problem">
          {t(`media.${mic.problem}`)}
        </p>
      )}
      {mic.devices.length > 0 && (
        <label className="mic-choice">
          {t("media.mic")}
          <select
            value={micId ?? ""}
            onChange={(e) => {
              const id = e.target.value || undefined;
              setMicId(id);
              if (id) localStorage.setItem("hotline12345.mic", id);
              else localStorage.removeItem("hotline12345.mic");
            }}
          >
            <option value="">—</option>
            {mic.devices.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className={`desk-main ${popUrl ? "with-pop" : ""}`}>
        <div className="desk-call">
          {offer && (
            <IncomingCall
              offer={offer.event}
              ringingSeconds={secondsSince(new Date(offer.at).toISOString(), now)}
            />
          )}
          {offer && previous?.callId === offer.event.callId && <PreviousCalls entries={previous.entries} />}
          <CallControls
            call={call}
            upSeconds={callUpAt ? Math.floor((now - callUpAt) / 1000) : 0}
            onAnswer={() => void phone()?.answer()}
            onHangup={() => phone()?.hangup()}
            onHold={(h) => (h ? phone()?.hold() : phone()?.retrieve())}
            onMute={(m) => phone()?.setMuted(m)}
            onDtmf={(k) => phone()?.sendDtmf(k)}
            onTransfer={() => setDialog("transfer")}
            onConference={() => setDialog("conference")}
          />
          {dialog && callId && (
            <TransferDialog
              callId={callId}
              agents={colleagues}
              queues={(agent?.queues ?? []).map((q) => ({ id: q, label: q }))}
              onTransfer={(id, target, mode) =>
                dialog === "conference" ? api.conference(id, target) : api.transfer(id, target, mode)
              }
              consultAnswered={liveCall?.consult ? liveCall.consult.answered : undefined}
              onConsultComplete={(id) => api.consultComplete(id)}
              onConsultCancel={(id) => api.consultCancel(id)}
              onClose={() => setDialog(null)}
            />
          )}
          <form
            className="dial"
            onSubmit={(e) => {
              e.preventDefault();
              if (!dialCheck.ok) return;
              api.originate(dialCheck.target.value).then(
                () => setDial(""),
                (err: unknown) => setError(errorText(err)),
              );
            }}
          >
            <label>
              {t("call.dialNumber")}
              <input inputMode="tel" value={dial} onChange={(e) => setDial(e.target.value)} />
            </label>
            <button type="submit" disabled={!dialCheck.ok || call !== null}>
              {t("call.dial")}
            </button>
          </form>
          <section className="lists">
            <div>
              <h3>{t("desk.callbacks")}</h3>
              {callbacks.length === 0 ? (
                <p>{t("desk.noItems")}</p>
              ) : (
                <ul>
                  {callbacks.map((c) => (
                    <li key={c.id}>
                      {c.caller} · {new Date(c.since).toLocaleTimeString()}{" "}
                      <button
                        type="button"
                        disabled={call !== null}
                        onClick={() =>
                          api.callBack(c.id).then(
                            () => api.callbacks().then(setCallbacks, () => undefined),
                            (err: unknown) => setError(errorText(err)),
                          )
                        }
                      >
                        {t("desk.callBack")}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div>
              <h3>{t("desk.history")}</h3>
              <CallHistory entries={history} />
            </div>
            <div>
              <h3>{t("desk.stats")}</h3>
              <TodayStats stats={stats} />
            </div>
          </section>
        </div>
        {popUrl && <ScreenPopPanel url={popUrl} />}
      </div>
      {/* biome-ignore lint/a11y/useMediaCaption: live call audio has no captions */}
      <audio ref={audioRef} autoPlay />
    </div>
  );
}
