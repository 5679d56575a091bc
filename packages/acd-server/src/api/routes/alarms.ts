import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ActiveAlarm } from "../../events/catalogue.js";
import { staff } from "../guard.js";
import { errorResponses } from "../schemas.js";

export interface AlarmRouteDeps {
  /** The alarms active now (the trunk manager's board); empty while no engine runs. */
  active: () => ActiveAlarm[];
}

const alarm = z
  .object({
    id: z.string().describe("stable per condition, e.g. trunk-down:<trunkId>"),
    kind: z.literal("trunk-down"),
    severity: z.enum(["warning", "critical"]),
    subject: z.string().describe("what it is about: the trunk id"),
    message: z.string(),
    raisedAt: z.string(),
  })
  .meta({ id: "Alarm" });

/** The supervisor board's alarm list; changes are pushed as `alarm.raised` / `alarm.cleared`. */
export const alarmRoutes: FastifyPluginAsyncZod<AlarmRouteDeps> = async (app, deps) => {
  app.get(
    "/api/alarms",
    {
      config: { roles: staff },
      schema: {
        tags: ["alarms"],
        summary: "Alarms active now, oldest first",
        response: { 200: z.array(alarm), ...errorResponses },
      },
    },
    async () =>
      deps.active().map((a) => ({
        id: a.id,
        kind: a.kind,
        severity: a.severity,
        subject: a.subject,
        message: a.message,
        raisedAt: a.raisedAt,
      })),
  );
};
