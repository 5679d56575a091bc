import { z } from "zod";

/** Shared request/response pieces of the REST API (zod; also the OpenAPI document). */

export const errorBody = z
  .object({
    code: z.string().describe("stable HOTLINE_ERR_* code"),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "Error" });

export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  429: errorBody,
} as const;

export const userId = z.string().regex(/^[0-9A-Za-z_.-]{1,32}$/, "1–32 letters, digits, _ . -");
export const slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,31}$/,
    "1–32 lower-case letters, digits and -, starting with a letter or digit",
  );
export const role = z.enum(["agent", "supervisor", "admin"]);
export const phonePattern = z.string().regex(/^\+?[0-9]{1,20}$/, "digits, optionally with a leading +");
export const idParams = z.object({ id: slug });
export const userIdParams = z.object({ id: userId });
