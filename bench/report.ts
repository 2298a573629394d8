/** Renders bench results as the Markdown table the README embeds: headline keys with unit, goal and verdict. */
import type { MachineInfo } from "./lib";

interface Output {
    machine: MachineInfo;
    models: { name: string; file: string }[];
    results: Record<string, number>;
    baselines: Record<string, string>;
    errors: Record<string, string>;
}

interface Row {
    key: string;
    what: string;
    unit: string;
    goal?: { op: "≥" | "≤"; value: number };
    info?: (r: Record<string, number>) => string;
}

const ms = (v: number | undefined) => (v === undefined ? "?" : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
const tps = (v: number | undefined) => (v === undefined ? "?" : `${v.toFixed(1)} tok/s`);

const ROWS: Row[] = [
    { key: "chat_stream_ratio", what: "Chat streaming speed, Hearth ÷ node-llama-cpp in-process", unit: "ratio", goal: { op: "≥", value: 0.97 },
        info: (r) => `${tps(r.chat_tps_hearth)} vs ${tps(r.chat_tps_direct)}, ${r.chat_tokens} tokens, median of ${r.chat_runs}` },
    { key: "chat_stream_ratio_tiny", what: "Same on a tiny generated model (per-token overhead made visible; information)", unit: "ratio",
        info: (r) => `${tps(r.chat_tps_hearth_tiny)} vs ${tps(r.chat_tps_direct_tiny)}; TTFT ${ms(r.ttft_ms_tiny)} vs ${ms(r.ttft_ms_direct_tiny)}` },
    { key: "ttft_ms", what: "Time to first token (chat, Hearth, client side)", unit: "ms", info: (r) => `direct: ${ms(r.ttft_ms_direct)}` },
    { key: "ttft_ratio", what: "Time to first token, Hearth ÷ direct", unit: "ratio" },
    { key: "fim_p50_ms_reuse", what: "Completion latency per keystroke, KV cache reused (p50)", unit: "ms",
        info: (r) => `${r.fim_keystrokes_reuse} keystrokes, ${r.fim_max_tokens} tokens max, p50 prompt tokens evaluated ${r.fim_evaluated_tokens_p50_reuse}` },
    { key: "fim_p95_ms_reuse", what: "Completion latency per keystroke, KV cache reused (p95)", unit: "ms" },
    { key: "fim_p50_ms_noreuse", what: "Completion latency, cache cleared each request (p50)", unit: "ms",
        info: (r) => `${r.fim_keystrokes_noreuse} keystrokes, prompt up to ${r.fim_prompt_tokens_max} tokens` },
    { key: "fim_reuse_p50_ratio", what: "Completion latency, reuse ÷ no reuse (p50)", unit: "ratio", goal: { op: "≤", value: 0.3 } },
    { key: "cancel_stop_ms_p95", what: "Stop: cancel → engine's cancelled result at the client (p95)", unit: "ms", goal: { op: "≤", value: 50 },
        info: (r) => `p50 ${ms(r.cancel_stop_ms_p50)}; one token takes ${ms(r.cancel_token_ms)}` },
    { key: "activation_ms", what: "Extension activation (in the extension host)", unit: "ms", goal: { op: "≤", value: 50 } },
    { key: "engine_start_ms", what: "Engine process spawn → ready", unit: "ms", info: (r) => `spawn → first model ready: ${ms(r.engine_cold_to_ready_ms)}` },
    { key: "chat50_rss_drift", what: "Engine RSS after chat round 50 ÷ round 10", unit: "ratio", goal: { op: "≤", value: 1.1 },
        info: (r) => `${r.chat50_rss_mib_round10} → ${r.chat50_rss_mib_round50} MiB, up to ${r.chat50_dropped_messages_max} old messages dropped` },
    { key: "index_build_files_per_s", what: "Knowledge index: full build of a generated workspace (worker thread)", unit: "files/s",
        info: (r) => `${r.index_build_files} files, ${r.index_build_mib} MiB, ${r.index_build_chunks} chunks, ${r.index_build_cpu_s} s CPU; on disk ${r.index_disk_mb} MiB; `
            + `main thread busy ${((r.index_build_main_thread_busy ?? 0) * 100).toFixed(1)}%; reopening it ${ms(r.index_reopen_ms)}` },
    { key: "index_build_peak_rss_mb", what: "Knowledge index: peak RSS of the indexing process during that build", unit: "MiB",
        info: (r) => `after reopening the index as well: ${r.index_peak_rss_with_reopen_mb} MiB` },
    { key: "index_update_ms", what: "Knowledge index: one saved file re-indexed (median)", unit: "ms" },
    { key: "index_update_ratio", what: "Knowledge index: one saved file ÷ full build", unit: "ratio", goal: { op: "≤", value: 0.01 } },
    { key: "retrieval_p50_ms", what: "Knowledge index: search latency over that workspace (p50)", unit: "ms", goal: { op: "≤", value: 50 },
        info: (r) => `p95 ${ms(r.retrieval_p95_ms)}; CPU time p50 ${ms(r.retrieval_p50_cpu_ms)}` },
    { key: "recall_at_5_lexical", what: "Knowledge index: lexical recall@5 on the labelled set (test/retrieval)", unit: "ratio", goal: { op: "≥", value: 0.85 },
        info: (r) => `${r.recall_questions} questions, English, Chinese and code` },
    { key: "direct_vs_llamabench_tg", what: "Generation speed, node-llama-cpp ÷ llama-bench (information)", unit: "ratio",
        info: (r) => [1, 2].filter((t) => r[`llamabench_tg_tps_t${t}`] !== undefined)
            .map((t) => `${t} thread${t > 1 ? "s" : ""}: ${tps(r[`direct_tg_tps_t${t}`])} vs ${tps(r[`llamabench_tg_tps_t${t}`])}, `
                + `engine ${tps(r[`engine_tg_tps_t${t}`])} (slowest sample: llama-bench ${tps(r[`llamabench_tg_tps_t${t}_min`])}, engine ${tps(r[`engine_tg_tps_t${t}_min`])})`)
            .join("; ") },
];

function verdict(value: number, goal: Row["goal"]): string {
    if (!goal) return "";
    const met = goal.op === "≥" ? value >= goal.value : value <= goal.value;
    if (met) return "met";
    const off = goal.op === "≥" ? (goal.value - value) / goal.value : (value - goal.value) / goal.value;
    return `missed by ${(off * 100).toFixed(off < 0.1 ? 1 : 0)}%`;
}

export function renderMarkdown(output: Output): string {
    const { machine: m, results: r } = output;
    const lines = [
        `### Benchmarks (${m.mode} run)`,
        "",
        `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.backend.toUpperCase()} backend, ${m.threads} thread(s), context ${m.contextSize}; `
        + `Node ${m.node}, node-llama-cpp ${m.nodeLlamaCpp} (llama.cpp ${m.llamaCppRelease}); ${m.date.slice(0, 16).replace("T", " ")} UTC. `
        + `Command: \`${m.command}\`. GPU: ${m.gpu}.`,
        "",
        "| measurement | key | value | goal | notes |",
        "|---|---|---|---|---|",
    ];
    for (const row of ROWS) {
        const value = r[row.key];
        if (value === undefined) continue;
        const shown = row.unit === "ms" ? ms(value) : row.unit === "ratio" ? value.toFixed(3) : `${value.toFixed(1)} ${row.unit}`;
        const goal = row.goal ? `${row.goal.op} ${row.goal.value}${row.unit === "ms" ? " ms" : ""} (${verdict(value, row.goal)})` : "";
        lines.push(`| ${row.what} | \`${row.key}\` | ${shown} | ${goal} | ${row.info?.(r) ?? ""} |`);
    }
    const loads = Object.keys(r).filter((k) => k.startsWith("model_load_ms_"));
    if (loads.length) {
        lines.push(`| Model load (loadModel round trip, backend ready, page cache warm) | \`model_load_ms_*\` | `
            + `${loads.map((k) => `${k.slice("model_load_ms_".length)}: ${ms(r[k])}`).join("<br>")} | | |`);
    }
    lines.push("", `Generated model: random weights, Qwen2 shape, ${r.generated_model_params_m}M parameters, Q8_0, `
        + `${r.generated_model_mib} MiB, real Qwen2 tokenizer (llama.cpp's vocab file) with Qwen2.5-Coder's FIM tokens. `
        + "Baselines: " + Object.entries(output.baselines).map(([k, v]) => `\`${k}\`: ${v}`).join("; ") + ".");
    if (Object.keys(output.errors).length) {
        lines.push("", "Failed measurements: " + Object.entries(output.errors).map(([k, v]) => `${k}: ${v}`).join("; "));
    }
    return `${lines.join("\n")}\n`;
}
