// GET /__metrics: the filter's metrics as Prometheus text, named as Envoy's /stats/prometheus names wasm
// metrics (its "wasmcustom" namespace is stripped, "." becomes "_"); the histogram in Envoy's default
// buckets (ms). APISIX answers the metrics calls with Unimplemented: there is nothing to show.
import type { Metric, Profile } from "../emulator/index.ts";

/** Envoy's default histogram bucket bounds. */
const BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/** A Prometheus metric name: anything outside [a-zA-Z0-9_:] becomes "_". */
export function prometheusName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, "_");
}

/** The exposition text for `metrics` (the emulated host's getMetrics()). */
export function prometheusText(metrics: Map<string, Metric>, profile: Profile): string {
  if (profile === "apisix") {
    return "# The apisix profile has no filter metrics: wasm-nginx-module answers the proxy-wasm metrics calls with\n"
      + "# Unimplemented, so on APISIX only the log lines remain. Run the gateway with --host envoy to see them.\n";
  }
  const lines: string[] = [];
  for (const [name, metric] of [...metrics].sort(([a], [b]) => a.localeCompare(b))) {
    const id = prometheusName(name);
    if (metric.type !== "histogram") {
      lines.push(`# TYPE ${id} ${metric.type}`, `${id} ${metric.value}`);
      continue;
    }
    const samples = metric.samples ?? [];
    lines.push(`# TYPE ${id} histogram`);
    for (const bound of BUCKETS) lines.push(`${id}_bucket{le="${bound}"} ${samples.filter((s) => s <= bound).length}`);
    lines.push(`${id}_bucket{le="+Inf"} ${samples.length}`, `${id}_sum ${samples.reduce((a, b) => a + b, 0)}`, `${id}_count ${samples.length}`);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "# no metrics defined yet\n";
}
