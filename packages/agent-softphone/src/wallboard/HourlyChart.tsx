import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { init, use } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import type { WallboardFigures } from "../api/types.js";

// Only the parts drawn here are registered, to keep the wall screen's chunk small.
use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface HourlyChartProps {
  hourly: WallboardFigures["hourly"];
  labels: { offered: string; answered: string; abandoned: string };
}

/** Calls by hour of the day, large type for a room-sized screen. */
export function HourlyChart({ hourly, labels }: HourlyChartProps) {
  const el = useRef<HTMLDivElement | null>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = init(el.current, "dark", { renderer: "canvas" });
    chart.current = c;
    const onResize = () => c.resize();
    window.addEventListener("resize", onResize);
    return () => {
      window.removeEventListener("resize", onResize);
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const byHour = new Map(hourly.map((h) => [h.hour, h]));
    const hours = Array.from({ length: 24 }, (_, h) => h);
    chart.current?.setOption({
      backgroundColor: "transparent",
      textStyle: { fontSize: 20 },
      legend: { top: 0, textStyle: { fontSize: 22, color: "#ddd" } },
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 20, top: 60, bottom: 40 },
      xAxis: { type: "category", data: hours.map((h) => `${h}`), axisLabel: { fontSize: 18 } },
      yAxis: { type: "value", axisLabel: { fontSize: 18 } },
      series: [
        { name: labels.offered, type: "bar", data: hours.map((h) => byHour.get(h)?.offered ?? 0) },
        { name: labels.answered, type: "bar", data: hours.map((h) => byHour.get(h)?.answered ?? 0) },
        {
          name: labels.abandoned,
          type: "line",
          data: hours.map((h) => byHour.get(h)?.abandoned ?? 0),
          lineStyle: { width: 4, color: "#ff5252" },
          itemStyle: { color: "#ff5252" },
        },
      ],
    });
  }, [hourly, labels]);

  return <div ref={el} className="hourly-chart" data-testid="hourly-chart" />;
}
