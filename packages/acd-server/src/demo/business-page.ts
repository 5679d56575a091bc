import type { FastifyInstance } from "fastify";

const htmlText = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/**
 * A stand-in for the 12345 business system's ticket page, so the demo's screen pop (the
 * general queue's template points here) opens something: it shows what the pop carried.
 * Registered only with demo data.
 */
export async function demoBusinessPage(app: FastifyInstance): Promise<void> {
  app.get("/demo/business", { config: { public: true } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const rows = Object.entries(q)
      .filter((e): e is [string, string] => typeof e[1] === "string")
      .map(([k, v]) => `<tr><th>${htmlText(k)}</th><td>${htmlText(v)}</td></tr>`)
      .join("");
    return reply
      .type("text/html; charset=utf-8")
      .send(
        `<!doctype html><html lang="zh"><meta charset="utf-8"><title>12345 工单（演示）</title>` +
          `<body style="font-family:sans-serif;margin:1rem"><h1 style="font-size:1.2rem">12345 工单系统（演示）</h1>` +
          `<p>来电已弹屏，以下为随呼叫传来的数据：</p><table>${rows}</table></body></html>`,
      );
  });
}
