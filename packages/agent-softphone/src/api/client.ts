import { ApiError, isApiErrorCode } from "./errors.js";
import type { SessionStore } from "./session-store.js";
import type {
  AgentTodayStats,
  AgentView,
  CallbackTask,
  CallHistoryEntry,
  MonitorMode,
  NotReadyReason,
  QueueStatsEvent,
  Session,
  SessionUser,
  SettableState,
  TransferMode,
  TransferTarget,
  WallboardFigures,
  WrapUpAction,
} from "./types.js";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Origin of the acd-server; "" (same origin) in the browser. */
  baseUrl?: string;
  store: SessionStore;
  fetch?: FetchLike;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * A small typed client for the acd-server REST API: bearer token on every call, one silent
 * refresh and retry on HOTLINE_ERR_TOKEN_EXPIRED, every failure as an ApiError with its code.
 */
export class ApiClient {
  readonly baseUrl: string;
  readonly store: SessionStore;
  private readonly fetchFn: FetchLike;
  /** The refresh in flight, shared by every request that finds the token expired. */
  private refreshing: Promise<Session> | null = null;

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl ?? "";
    this.store = opts.store;
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async login(userId: string, password: string): Promise<Session> {
    const session = await this.send<Session>("POST", "/api/auth/login", { userId, password }, null);
    this.store.set(session);
    return session;
  }

  /** Ends the session on the server (best effort) and always forgets it here. */
  async logout(): Promise<void> {
    const s = this.store.get();
    this.store.set(null);
    if (!s) return;
    try {
      await this.send<unknown>("POST", "/api/auth/logout", { refreshToken: s.refreshToken }, null);
    } catch {
      // The local session is gone either way; a server that cannot be told will expire it.
    }
  }

  /**
   * Refresh tokens rotate and each works once; a second use of the same one makes the server
   * end every session of the user (RFC 6819 §5.2.2.3). So concurrent requests that all see an
   * expired token must share one refresh, never race several.
   */
  refresh(): Promise<Session> {
    if (this.refreshing) return this.refreshing;
    const current = this.store.get();
    if (!current) {
      return Promise.reject(new ApiError("HOTLINE_ERR_UNAUTHENTICATED", 401, "not signed in"));
    }
    const p = this.send<Partial<Session>>(
      "POST",
      "/api/auth/refresh",
      { refreshToken: current.refreshToken },
      null,
    )
      .then((pair) => {
        // The refresh answer is a token pair; the user stays the one who signed in.
        const session: Session = { ...current, ...pair, user: pair.user ?? current.user };
        this.store.set(session);
        return session;
      })
      .catch((err: unknown) => {
        // A refused refresh means the session is over: sign out so the UI shows the login page.
        if (err instanceof ApiError && err.status === 401) this.store.set(null);
        throw err;
      })
      .finally(() => {
        this.refreshing = null;
      });
    this.refreshing = p;
    return p;
  }

  /** An authenticated request; refreshes once and retries when the access token has expired. */
  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const token = this.store.get()?.accessToken ?? null;
    try {
      return await this.send<T>(method, path, body, token);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== "HOTLINE_ERR_TOKEN_EXPIRED") throw err;
      const fresh = await this.refresh();
      return this.send<T>(method, path, body, fresh.accessToken);
    }
  }

  private async send<T>(method: Method, path: string, body: unknown, token: string | null): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError("HOTLINE_ERR_NETWORK", 0, err instanceof Error ? err.message : String(err));
    }
    const text = await res.text();
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (res.ok) return parsed as T;
    const rec = (parsed ?? {}) as { code?: unknown; message?: unknown };
    const code = isApiErrorCode(rec.code)
      ? rec.code
      : res.status >= 500
        ? "HOTLINE_ERR_INTERNAL"
        : "HOTLINE_ERR_NETWORK";
    const message = typeof rec.message === "string" ? rec.message : `${res.status} ${res.statusText}`;
    const retry = res.headers.get("retry-after");
    const retryAfter = retry !== null && /^\d+$/.test(retry) ? Number(retry) : undefined;
    throw new ApiError(code, res.status, message, retryAfter);
  }

  // --- the endpoints the pages use -------------------------------------------------------

  me(): Promise<SessionUser> {
    return this.request("GET", "/api/me");
  }
  myAgent(): Promise<AgentView> {
    return this.request("GET", "/api/agents/me");
  }
  setMyState(state: SettableState, reason?: string): Promise<AgentView> {
    return this.request("POST", "/api/agents/me/state", reason === undefined ? { state } : { state, reason });
  }
  wrapUp(action: WrapUpAction): Promise<AgentView> {
    return this.request("POST", "/api/agents/me/wrap-up", action);
  }
  notReadyReasons(): Promise<NotReadyReason[]> {
    return this.request("GET", "/api/not-ready-reasons");
  }
  agents(): Promise<AgentView[]> {
    return this.request("GET", "/api/agents");
  }
  forceAgentState(agentId: string, state: "NOT_READY" | "LOGGED_OUT", reason?: string): Promise<AgentView> {
    return this.request("POST", `/api/agents/${encodeURIComponent(agentId)}/state`, { state, reason });
  }
  queueStats(): Promise<QueueStatsEvent[]> {
    return this.request("GET", "/api/queues/stats");
  }
  wallboard(): Promise<WallboardFigures> {
    return this.request("GET", "/api/wallboard");
  }
  transfer(callId: string, target: TransferTarget, mode: TransferMode): Promise<unknown> {
    return this.request("POST", `/api/calls/${encodeURIComponent(callId)}/transfer`, {
      to: apiTarget(target),
      mode,
    });
  }
  consultComplete(callId: string): Promise<unknown> {
    return this.request("POST", `/api/calls/${encodeURIComponent(callId)}/consult/complete`, {});
  }
  consultCancel(callId: string): Promise<unknown> {
    return this.request("POST", `/api/calls/${encodeURIComponent(callId)}/consult/cancel`, {});
  }
  conference(callId: string, target: TransferTarget): Promise<unknown> {
    return this.request("POST", `/api/calls/${encodeURIComponent(callId)}/conference`, {
      to: apiTarget(target),
    });
  }
  monitor(callId: string, mode: MonitorMode): Promise<unknown> {
    return this.request("POST", `/api/calls/${encodeURIComponent(callId)}/monitor`, { mode });
  }
  originate(number: string): Promise<unknown> {
    return this.request("POST", "/api/calls/originate", { number });
  }
  /** Calls a callback task's caller back: the server claims the task and dials its number. */
  callBack(taskId: string): Promise<unknown> {
    return this.request("POST", "/api/calls/originate", { taskId });
  }
  /** The calls I answered, newest first. */
  history(): Promise<CallHistoryEntry[]> {
    return this.request("GET", "/api/agents/me/calls");
  }
  myStats(): Promise<AgentTodayStats> {
    return this.request("GET", "/api/agents/me/stats");
  }
  /** Earlier calls from the caller of `callId` (an agent names the call: they see masked numbers). */
  previousCalls(callId: string): Promise<CallHistoryEntry[]> {
    return this.request("GET", `/api/calls/previous?callId=${encodeURIComponent(callId)}`);
  }
  callbacks(): Promise<CallbackTask[]> {
    return this.request("GET", "/api/callbacks");
  }
}

/** The server's shape of a transfer target (`{ kind: "agent", agentId }` …). */
function apiTarget(t: TransferTarget) {
  if (t.kind === "agent") return { kind: "agent", agentId: t.value };
  if (t.kind === "queue") return { kind: "queue", queueId: t.value };
  return { kind: "number", number: t.value };
}
