import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { AcdError, acdErrorStatus } from "../acd/index.js";
import { type ErrorBody, HotlineError } from "../errors.js";

/** Postgres SQLSTATEs that are the client's fault, not ours. */
const pgClientErrors: Record<
  string,
  { code: "HOTLINE_ERR_CONFLICT" | "HOTLINE_ERR_VALIDATION"; message: string }
> = {
  "23505": { code: "HOTLINE_ERR_CONFLICT", message: "It already exists" },
  "23503": { code: "HOTLINE_ERR_VALIDATION", message: "It refers to something that does not exist" },
  "23514": { code: "HOTLINE_ERR_VALIDATION", message: "A value is out of its allowed range" },
};

/** Every error leaves as `{ code, message, details? }` with the catalogue's status. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HotlineError | Error, req, reply) => {
    let status: number;
    let body: ErrorBody;
    if (err instanceof HotlineError) {
      status = err.status;
      body = { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
      if (err.retryAfterSeconds) void reply.header("retry-after", String(err.retryAfterSeconds));
    } else if (err instanceof AcdError) {
      // The ACD's own catalogue (illegal agent transition, unknown agent …), same body shape.
      status = acdErrorStatus[err.code];
      body = { code: err.code, message: err.message, details: { ...err.details } };
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      status = 400;
      body = {
        code: "HOTLINE_ERR_VALIDATION",
        message: err.validation
          .map(
            (v) =>
              `${err.validationContext ?? "request"}${v.instancePath.replaceAll("/", ".")}: ${v.message}`,
          )
          .join("; "),
        details: { issues: err.validation.map((v) => ({ path: v.instancePath, message: v.message })) },
      };
    } else if ("code" in err && typeof err.code === "string" && pgClientErrors[err.code]) {
      const mapped = pgClientErrors[err.code] as (typeof pgClientErrors)[string];
      status = mapped.code === "HOTLINE_ERR_CONFLICT" ? 409 : 400;
      body = { code: mapped.code, message: mapped.message };
    } else if ("statusCode" in err && typeof err.statusCode === "number" && err.statusCode < 500) {
      // fastify's own 4xx: body too large, bad JSON, unsupported media type…
      status = err.statusCode;
      body = {
        code: status === 404 ? "HOTLINE_ERR_NOT_FOUND" : "HOTLINE_ERR_VALIDATION",
        message: err.message,
      };
    } else {
      req.log.error({ err }, "request failed");
      status = 500;
      body = { code: "HOTLINE_ERR_INTERNAL", message: "Internal error" };
    }
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send({ code: "HOTLINE_ERR_NOT_FOUND", message: `no route ${req.method} ${req.url}` });
  });
}
