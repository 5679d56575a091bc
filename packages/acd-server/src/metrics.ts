import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The process's Prometheus metrics, served at /metrics. One registry per server instance. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "hotline_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "hotline_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "hotline_http_request_duration_seconds",
      help: "HTTP request duration by route",
      labelNames: ["method", "route"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    loginFailures: new Counter({
      name: "hotline_login_failures_total",
      help: "Failed logins, by why",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    socketClients: new Gauge({
      name: "hotline_socket_clients",
      help: "Connected socket.io clients",
      registers: [registry],
    }),
    trunkUp: new Gauge({
      name: "hotline_trunk_up",
      help: "1 while a trunk answers OPTIONS probes (or is not probed), 0 while its alarm is raised",
      labelNames: ["trunk"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
