import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The acd-server serves the built dist/ at "/" and answers the API, socket.io and SIP over WS on
// the same origin; in dev the Vite server forwards those paths to it so the app never needs a
// configured base URL.
const server = process.env.HOTLINE_SERVER ?? "http://localhost:8080";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": server,
      "/socket.io": { target: server, ws: true },
      "/sip": { target: server, ws: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The manifest tells the size script which chunks the agent desk loads up front.
    manifest: true,
    chunkSizeWarningLimit: 1200,
  },
});
