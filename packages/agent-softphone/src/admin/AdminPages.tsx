import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useErrorText, useServices } from "../app/services.js";

type Row = Record<string, unknown>;

interface Resource {
  key: "users" | "queues" | "skills" | "lists" | "calendars" | "flows" | "trunks" | "audit";
  path: string;
  /** How a new row is sent: POST to the collection, PUT to /:id, or not at all. */
  create: "POST" | "PUT" | null;
  update: "PATCH" | "PUT" | null;
  remove: boolean;
  /** Query variants (the three lists). */
  variants?: readonly string[];
}

const resources: readonly Resource[] = [
  { key: "users", path: "/api/users", create: "POST", update: "PATCH", remove: true },
  { key: "queues", path: "/api/queues", create: "POST", update: "PATCH", remove: true },
  { key: "skills", path: "/api/skills", create: "PUT", update: "PUT", remove: true },
  {
    key: "lists",
    path: "/api/lists",
    create: "POST",
    update: null,
    remove: true,
    variants: ["black", "white", "priority"],
  },
  { key: "calendars", path: "/api/calendars", create: "PUT", update: "PUT", remove: false },
  // A flow row is its name and numbers; its definition is versioned (new version, then publish).
  { key: "flows", path: "/api/flows", create: "POST", update: "PATCH", remove: false },
  { key: "trunks", path: "/api/trunks", create: "POST", update: "PATCH", remove: true },
  { key: "audit", path: "/api/audit", create: null, update: null, remove: false },
];

/** A list answer may be a bare array or an object holding one (paged endpoints). */
export function rowsOf(body: unknown): Row[] {
  if (Array.isArray(body)) return body as Row[];
  if (body && typeof body === "object") {
    for (const v of Object.values(body)) if (Array.isArray(v)) return v as Row[];
  }
  return [];
}

export function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * Plain tables and a JSON form per admin resource. The server validates every field and answers
 * HOTLINE_ERR_VALIDATION naming the one that is wrong, so the form does not repeat its schema.
 */
export default function AdminPages() {
  const { t } = useTranslation();
  const { api } = useServices();
  const errorText = useErrorText();
  const [res, setRes] = useState<Resource>(resources[0]!);
  const [variant, setVariant] = useState<string | undefined>(undefined);
  const [rows, setRows] = useState<Row[]>([]);
  const [draft, setDraft] = useState("");
  const [editingId, setEditingId] = useState<string | null>(null);
  /** Flows: the flow whose next version the draft is. */
  const [versionOf, setVersionOf] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

  const url = variant ? `${res.path}?list=${encodeURIComponent(variant)}` : res.path;
  const load = useCallback(async () => {
    try {
      setRows(rowsOf(await api.request<unknown>("GET", url)));
    } catch (err) {
      setMessage({ kind: "error", text: errorText(err) });
    }
  }, [api, url, errorText]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the resource or list changes, not on every render of errorText
  useEffect(() => {
    void load();
  }, [url]);

  const save = async () => {
    setMessage(null);
    let body: Row;
    try {
      body = JSON.parse(draft) as Row;
    } catch (err) {
      setMessage({ kind: "error", text: t("errors.HOTLINE_ERR_VALIDATION", { message: String(err) }) });
      return;
    }
    try {
      const id = editingId ?? (typeof body.id === "string" ? body.id : "");
      const { id: _drop, ...rest } = body;
      if (editingId && res.update)
        await api.request(res.update, `${res.path}/${encodeURIComponent(id)}`, rest);
      else if (res.create === "PUT") await api.request("PUT", `${res.path}/${encodeURIComponent(id)}`, rest);
      else if (res.create === "POST") await api.request("POST", res.path, body);
      setMessage({ kind: "ok", text: t("admin.saved") });
      setDraft("");
      setEditingId(null);
      await load();
    } catch (err) {
      setMessage({ kind: "error", text: errorText(err) });
    }
  };

  /** Flows: the draft (a flow document) becomes the flow's next version. */
  const addVersion = async (flowId: string) => {
    setMessage(null);
    try {
      const definition = JSON.parse(draft) as Row;
      await api.request("POST", `/api/flows/${encodeURIComponent(flowId)}/versions`, { definition });
      setMessage({ kind: "ok", text: t("admin.saved") });
      await load();
    } catch (err) {
      setMessage({ kind: "error", text: errorText(err) });
    }
  };
  const publish = async (flowId: string, version: number) => {
    setMessage(null);
    try {
      await api.request("POST", `/api/flows/${encodeURIComponent(flowId)}/publish`, { version });
      setMessage({ kind: "ok", text: t("admin.published", { id: flowId, version }) });
      await load();
    } catch (err) {
      setMessage({ kind: "error", text: errorText(err) });
    }
  };
  const editVersion = async (flowId: string, version: number) => {
    try {
      const v = await api.request<{ definition: Row }>(
        "GET",
        `/api/flows/${encodeURIComponent(flowId)}/versions/${version}`,
      );
      setEditingId(null);
      setVersionOf(flowId);
      setDraft(JSON.stringify(v.definition, null, 2));
    } catch (err) {
      setMessage({ kind: "error", text: errorText(err) });
    }
  };
  const remove = async (id: string) => {
    if (!window.confirm(t("admin.confirmDelete", { id }))) return;
    try {
      await api.request("DELETE", `${res.path}/${encodeURIComponent(id)}`);
      await load();
    } catch (err) {
      setMessage({ kind: "error", text: errorText(err) });
    }
  };

  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <main className="admin">
      <nav className="tabs">
        {resources.map((r) => (
          <button
            type="button"
            key={r.key}
            aria-pressed={r.key === res.key}
            onClick={() => {
              setRes(r);
              setVariant(r.variants?.[0]);
              setDraft("");
              setEditingId(null);
              setVersionOf(null);
              setMessage(null);
            }}
          >
            {t(`admin.${r.key}`)}
          </button>
        ))}
      </nav>
      {res.variants && (
        <select value={variant} onChange={(e) => setVariant(e.target.value)}>
          {res.variants.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      )}
      <button type="button" onClick={() => void load()}>
        {t("admin.reload")}
      </button>
      {message && (
        <p role={message.kind === "error" ? "alert" : "status"} className={message.kind}>
          {message.text}
        </p>
      )}
      <table className="grid">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const id = cell(r.id);
            return (
              <tr key={id || i}>
                {columns.map((c) => (
                  <td key={c}>{cell(r[c])}</td>
                ))}
                <td>
                  {res.update && (
                    <button
                      type="button"
                      onClick={() => {
                        setEditingId(id);
                        setVersionOf(null);
                        setDraft(JSON.stringify(r, null, 2));
                      }}
                    >
                      {t("admin.edit")}
                    </button>
                  )}
                  {res.key === "flows" && typeof r.latestVersion === "number" && (
                    <>
                      <button type="button" onClick={() => void editVersion(id, r.latestVersion as number)}>
                        {t("admin.newVersion")}
                      </button>
                      {r.latestVersion !== r.publishedVersion && (
                        <button type="button" onClick={() => void publish(id, r.latestVersion as number)}>
                          {t("admin.publish", { version: r.latestVersion })}
                        </button>
                      )}
                    </>
                  )}
                  {res.remove && (
                    <button type="button" onClick={() => void remove(id)}>
                      {t("admin.delete")}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {(res.create || editingId) && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (res.key === "flows" && versionOf) void addVersion(versionOf);
            else void save();
          }}
        >
          <h3>
            {res.key === "flows" && versionOf
              ? `${t("admin.newVersion")} ${versionOf}`
              : editingId
                ? `${t("admin.edit")} ${editingId}`
                : t("admin.add")}
          </h3>
          <textarea rows={12} cols={80} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <button type="submit">{t("admin.save")}</button>
        </form>
      )}
    </main>
  );
}
