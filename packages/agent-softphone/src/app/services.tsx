import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { useTranslation } from "react-i18next";
import type { ApiClient } from "../api/client.js";
import { type ApiError, toApiError } from "../api/errors.js";
import type { Language, Session } from "../api/types.js";
import { connectEvents, type EventsConnection, type LinkStatus } from "../realtime/events.js";

export interface Services {
  api: ApiClient;
  /** Origin for socket.io and SIP; "" = this page. */
  serverUrl: string;
  language: Language;
  setLanguage(lng: Language): void;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider(props: { value: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={props.value}>{props.children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error("useServices outside ServicesProvider");
  return s;
}

export function useSession(): Session | null {
  const { api } = useServices();
  return useSyncExternalStore(
    (cb) => api.store.subscribe(cb),
    () => api.store.get(),
  );
}

/**
 * The page's socket.io link for as long as the component is mounted. `resync` runs after every
 * (re)connect; `subscribe` wires the live events. Both are read through refs so a re-render
 * does not reconnect.
 */
export function useEvents(
  resync: () => Promise<void> | void,
  subscribe: (conn: EventsConnection) => Array<() => void>,
): LinkStatus {
  const { api, serverUrl } = useServices();
  const [status, setStatus] = useState<LinkStatus>("connecting");
  const resyncRef = useRef(resync);
  const subscribeRef = useRef(subscribe);
  resyncRef.current = resync;
  subscribeRef.current = subscribe;
  useEffect(() => {
    const conn = connectEvents({
      api,
      url: serverUrl,
      resync: () => resyncRef.current(),
      onStatus: setStatus,
    });
    const offs = subscribeRef.current(conn);
    return () => {
      for (const off of offs) off();
      conn.close();
    };
  }, [api, serverUrl]);
  return status;
}

/** Translates an error by its code. */
export function useErrorText(): (err: unknown) => string {
  const { t } = useTranslation();
  return (err: unknown) => {
    const e: ApiError = toApiError(err);
    return t(`errors.${e.code}`, { message: e.message, seconds: e.retryAfterSeconds ?? 0 });
  };
}
