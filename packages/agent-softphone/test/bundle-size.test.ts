import { describe, expect, it } from "vitest";
import { initialChunks } from "../scripts/bundle-size.js";

describe("initial chunks", () => {
  it("counts the entry and its static imports, transitively, but not lazy pages", () => {
    const manifest = {
      "index.html": {
        file: "assets/index.js",
        isEntry: true,
        imports: ["_vendor.js"],
        dynamicImports: ["wall.tsx"],
      },
      "_vendor.js": { file: "assets/vendor.js", imports: ["_shared.js"] },
      "_shared.js": { file: "assets/shared.js", imports: ["_vendor.js"] },
      "wall.tsx": { file: "assets/wall.js", imports: ["_echarts.js", "_shared.js"] },
      "_echarts.js": { file: "assets/echarts.js" },
    };
    expect(initialChunks(manifest, "index.html").sort()).toEqual([
      "assets/index.js",
      "assets/shared.js",
      "assets/vendor.js",
    ]);
  });
});
