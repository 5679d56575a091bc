import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { demoBusinessPage } from "./business-page.js";

describe("the demo business page", () => {
  it("shows what the screen pop carried, escaped", async () => {
    const app = Fastify();
    await demoBusinessPage(app);
    const res = await app.inject({
      method: "GET",
      url: "/demo/business?call=abc-1&caller=138****5678&note=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expect(res.body).toContain("<td>abc-1</td>");
    expect(res.body).toContain("<td>138****5678</td>");
    expect(res.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(res.body).not.toContain("<script>");
    await app.close();
  });
});
