import type { Logger } from "pino";
import { HotlineError } from "../errors.js";
import { rooms } from "../events/catalogue.js";
import type { EventServer } from "../events/socket.js";
import type { CallCenter } from "./call-center.js";
import { callCommandSchema, presentCall, runCallCommand } from "./call-control.js";
import type { ConversationView } from "./conversation.js";

/**
 * Call control over socket.io: `call.command` runs the same commands, with the same rules and
 * error codes, as the REST routes; `call.updated` tells the call's agents (number masked) and
 * the supervisors (number whole) after every change.
 */
export function attachCallEvents(io: EventServer, calls: () => CallCenter | undefined, log: Logger) {
  io.on("connection", (socket) => {
    socket.on("call.command", (req, ack) => {
      if (typeof ack !== "function") return;
      const { callId, ...rest } = (req ?? {}) as { callId?: unknown };
      const cmd = callCommandSchema.safeParse(rest);
      if (typeof callId !== "string" || callId.length === 0 || callId.length > 80 || !cmd.success) {
        ack({
          ok: false,
          code: "HOTLINE_ERR_VALIDATION",
          message: cmd.error?.message ?? "callId is required",
        });
        return;
      }
      const who = { userId: socket.data.userId, role: socket.data.role };
      runCallCommand(calls(), who, callId, cmd.data).then(
        (view) => ack({ ok: true, data: view }),
        (err: unknown) => {
          if (err instanceof HotlineError) ack({ ok: false, code: err.code, message: err.message });
          else {
            log.error({ err, callId, op: cmd.data.op }, "call command failed");
            ack({ ok: false, code: "HOTLINE_ERR_INTERNAL", message: "Internal error" });
          }
        },
      );
    });
  });
  return {
    /** The conversation's change listener. */
    changed(view: ConversationView, parties: readonly string[]): void {
      const masked = presentCall(view, "agent");
      for (const who of parties)
        io.to(rooms.agent(who)).except(rooms.supervisors).emit("call.updated", masked);
      io.to(rooms.supervisors).emit("call.updated", view);
    },
  };
}
