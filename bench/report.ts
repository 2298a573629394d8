/**
 * Renders bench results as the Markdown table the README embeds (headline keys with unit, goal and verdict, the
 * commit measured) and puts it into README.md between `<!-- bench:begin -->` and `<!-- bench:end -->` (GPU run:
 * `bench-gpu:`), so the README's figures always come from a results file.
 */
import * as fs from "node:fs";
import type { MachineInfo } from "./lib";

export interface BenchOutput {
    machine: MachineInfo;
    models: { name: string; file: string }[];
    results: Record<string, number>;
    baselines: Record<string, string>;
    notes: Record<string, string>;
    errors: Record<string, string>;
}

interface Row {
    key: string;
    what: string;
    unit: "ms" | "ratio" | "MiB" | "tokens" | "files/s";
    goal?: { op: "≥" | "≤"; value: number };
    info?: (r: Record<string, number>) => string;
}

const ms = (v: number | undefined) => (v === undefined ? "?" : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
const tps = (v: number | undefined) => (v === undefined ? "?" : `${v.toFixed(1)} tok/s`);

const ROWS: Row[] = [
    { key: "chat_vs_server_tok_ratio", what: "Chat streaming speed, Hearth ÷ llama-server", unit: "ratio", goal: { op: "≥", value: 1.0 },
        info: (r) => `${tps(r.chat_vs_server_tps_hearth)} vs ${tps(r.chat_vs_server_tps_server)}, ${r.chat_vs_server_tokens} tokens, median of ${r.chat_vs_server_runs}; `
            + `TTFT ${ms(r.chat_vs_server_ttft_ms_hearth)} vs ${ms(r.chat_vs_server_ttft_ms_server)}`
            + (r.chat_vs_server_prompts_dropped ? `; ${r.chat_vs_server_prompts_dropped} prompt(s) dropped on both sides because llama-server's output parser ended its answer (invalid UTF-8 from the random weights)` : "") },
    { key: "fim_vs_server_p50_ratio", what: "Completion latency per keystroke, Hearth ÷ llama-server /infill (p50)", unit: "ratio", goal: { op: "≤", value: 0.8 },
        info: (r) => `${ms(r.fim_p50_ms)} vs ${ms(r.fim_server_p50_ms)} over ${r.fim_keystrokes} keystrokes; prompt p50 ${r.fim_prompt_tokens_p50} vs ${r.fim_server_prompt_tokens_p50} tokens, `
            + `evaluated p50 ${r.fim_evaluated_tokens_p50} vs ${r.fim_server_evaluated_tokens_p50}; tokens generated (mean) ${r.fim_generated_tokens_mean} vs ${r.fim_server_generated_tokens_mean}`
            + (r.fim_server_rejected_answers ? `; ${r.fim_server_rejected_answers} server answers rejected by its own output parser after generating (random-weight text; latency counted)` : "") },
    { key: "fim_vs_server_p95_ratio", what: "Same, p95", unit: "ratio", goal: { op: "≤", value: 0.8 },
        info: (r) => `${ms(r.fim_p95_ms)} vs ${ms(r.fim_server_p95_ms)}` },
    { key: "fim_first_token_p50_ms", what: "Completion: request → first suggestion text at the client (p50)", unit: "ms", goal: { op: "≤", value: 100 },
        info: (r) => `full suggestion p50 ${ms(r.fim_p50_ms)}, p95 ${ms(r.fim_p95_ms)}` },
    { key: "memory_vs_two_servers_ratio", what: "Peak RSS, Hearth's one engine (chat + completions) ÷ two llama-servers", unit: "ratio", goal: { op: "≤", value: 0.6 },
        info: (r) => `${r.memory_hearth_peak_mib} vs ${r.memory_servers_peak_mib} MiB; private memory (RssAnon) ${r.memory_hearth_anon_mib} vs ${r.memory_servers_anon_mib} MiB `
            + `(ratio ${r.memory_anon_vs_two_servers_ratio?.toFixed(3)}); RSS counts the weights once per process: each llama-server maps the file, Hearth's engine on the CPU reads them into its private memory on huge pages (src/engine/weightsMemory.ts)` },
    { key: "engine_vs_llamabench_tg", what: "Generation speed at the default thread count, Hearth's engine ÷ llama-bench", unit: "ratio", goal: { op: "≥", value: 0.97 },
        info: (r) => [1, 2].filter((t) => r[`llamabench_tg_tps_t${t}`] !== undefined)
            .map((t) => `${t} thread${t > 1 ? "s" : ""}: engine ${tps(r[`engine_tg_tps_t${t}`])}, node-llama-cpp direct ${tps(r[`direct_tg_tps_t${t}`])}, `
                + `llama-bench ${tps(r[`llamabench_tg_tps_t${t}`])}`
                + (r[`llamabench_prebuilt_tg_tps_t${t}`] === undefined ? "" : `, llama-bench on node-llama-cpp's prebuilt libraries ${tps(r[`llamabench_prebuilt_tg_tps_t${t}`])}`)
                + ` (slowest sample: engine ${tps(r[`engine_tg_tps_t${t}_min`])}, llama-bench ${tps(r[`llamabench_tg_tps_t${t}_min`])})`)
            .join("; ") },
    { key: "engine_vs_llamabench_prebuilt_tg", what: "Same, ÷ llama-bench on node-llama-cpp's own prebuilt libraries (node-llama-cpp's in-process share; information)", unit: "ratio",
        info: (r) => `prebuilt ÷ native llama-bench (the binaries' share): ${r.llamabench_prebuilt_vs_native_tg?.toFixed(3) ?? "?"}` },
    { key: "chat_stream_ratio", what: "Chat streaming speed, Hearth ÷ node-llama-cpp in-process", unit: "ratio", goal: { op: "≥", value: 0.97 },
        info: (r) => `${tps(r.chat_tps_hearth)} vs ${tps(r.chat_tps_direct)}, ${r.chat_tokens} tokens, median of ${r.chat_runs}` },
    { key: "chat_stream_ratio_tiny", what: "Same on a tiny generated model (per-token overhead made visible; information)", unit: "ratio",
        info: (r) => `${tps(r.chat_tps_hearth_tiny)} vs ${tps(r.chat_tps_direct_tiny)}; TTFT ${ms(r.ttft_ms_tiny)} vs ${ms(r.ttft_ms_direct_tiny)}` },
    { key: "ttft_ms", what: "Chat time to first token (Hearth's chat turn: planning, saving, prompt evaluation)", unit: "ms",
        info: (r) => `node-llama-cpp direct: ${ms(r.ttft_ms_direct)} (ratio ${r.ttft_ratio?.toFixed(3)})` },
    { key: "fim_reuse_p50_ratio", what: "Completion latency, KV cache reused ÷ cache cleared each request (p50)", unit: "ratio", goal: { op: "≤", value: 0.3 },
        info: (r) => `${ms(r.fim_p50_ms)} vs ${ms(r.fim_p50_ms_noreuse)} (${r.fim_keystrokes_noreuse} keystrokes without reuse)` },
    { key: "chat50_reeval_tokens_p50", what: "50-round chat: prompt tokens re-evaluated per round once trimming began (p50)", unit: "tokens",
        info: (r) => `goal: ≤ new message + previous answer (p50 ${r.chat50_reeval_budget_p50} tokens); ${r.chat50_full_reeval_rounds} of ${r.chat50_reeval_rounds} rounds re-evaluated more` },
    { key: "chat50_rss_drift", what: "Engine memory in use after chat round 50 ÷ round 10", unit: "ratio", goal: { op: "≤", value: 1.1 },
        info: (r) => `${r.chat50_rss_mib_round10} → ${r.chat50_rss_mib_round50} MiB, up to ${r.chat50_dropped_messages_max} old messages left out` },
    { key: "cancel_stop_ms_p95", what: "Stop: cancel → engine's cancelled result at the client (p95)", unit: "ms", goal: { op: "≤", value: 50 },
        info: (r) => `p50 ${ms(r.cancel_stop_ms_p50)}; one token takes ${ms(r.cancel_token_ms)}` },
    { key: "activation_ms", what: "Extension activation: code load + activate() in the extension host (a later VS Code start, V8 code cache)", unit: "ms", goal: { op: "≤", value: 50 },
        info: (r) => `code load ${ms(r.activation_code_load_ms)}, activate() ${ms(r.activation_call_ms)}, median of ${r.activation_runs} (code cache hit in ${r.activation_code_cache_hits}); `
            + (r.activation_first_ms === undefined ? "the last in-host run's figure" : `first start on a fresh profile (compiles from source, writes the cache): ${ms(r.activation_first_ms)}`) },
    { key: "engine_start_ms", what: "Engine process spawn → ready", unit: "ms", info: (r) => `spawn → first model ready: ${ms(r.engine_cold_to_ready_ms)}` },
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
    { key: "model_load_ms_7b", what: "7B-shaped model load, page cache warm (GPU runs)", unit: "ms", goal: { op: "≤", value: 5000 } },
];

function verdict(value: number, goal: Row["goal"]): string {
    if (!goal) return "";
    const met = goal.op === "≥" ? value >= goal.value : value <= goal.value;
    if (met) return "met";
    const off = goal.op === "≥" ? (goal.value - value) / goal.value : (value - goal.value) / goal.value;
    return `missed by ${(off * 100).toFixed(off < 0.1 ? 1 : 0)}%`;
}

function shown(value: number, unit: Row["unit"]): string {
    if (unit === "ms") return ms(value);
    if (unit === "ratio") return value.toFixed(3);
    if (unit === "tokens") return String(value);
    return `${value.toFixed(1)} ${unit}`;
}

export function renderMarkdown(output: BenchOutput): string {
    const { machine: m, results: r } = output;
    const compute = m.backend === "cpu" ? "CPU" : `${m.backend.toUpperCase()} (${m.gpuLayers}/${m.totalLayers} layers on ${m.gpu})`;
    const lines = [
        `### Benchmarks (${m.mode} run, commit \`${m.commit.slice(0, 10)}\`${m.cleanTree ? "" : " **with uncommitted changes**"})`,
        "",
        `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; ${compute}; ${m.threads} thread(s), context ${m.contextSize}; `
        + `Node ${m.node}, node-llama-cpp ${m.nodeLlamaCpp} (llama.cpp ${m.llamaCppRelease}); ${m.date.slice(0, 16).replace("T", " ")} UTC. `
        + `Command: \`${m.command}\`.${m.backend === "cpu" ? ` GPU: ${m.gpu}.` : ""}`,
        "",
        "| measurement | key | value | goal | notes |",
        "|---|---|---|---|---|",
    ];
    for (const row of ROWS) {
        const value = r[row.key];
        if (value === undefined) continue;
        const goal = row.goal ? `${row.goal.op} ${row.goal.value}${row.unit === "ms" ? " ms" : ""} (${verdict(value, row.goal)})` : "";
        lines.push(`| ${row.what} | \`${row.key}\` | ${shown(value, row.unit)} | ${goal} | ${row.info?.(r) ?? ""} |`);
    }
    const loads = Object.keys(r).filter((k) => k.startsWith("model_load_ms_") && k !== "model_load_ms_7b");
    if (loads.length) {
        lines.push(`| Model load (loadModel round trip, backend ready, page cache warm) | \`model_load_ms_*\` | `
            + `${loads.map((k) => `${k.slice("model_load_ms_".length)}: ${ms(r[k])}`).join("<br>")} | | |`);
    }
    lines.push("", `Generated model: random weights, Qwen2 shape, ${r.generated_model_params_m}M parameters, Q8_0, `
        + `${r.generated_model_mib} MiB, real Qwen2 tokenizer (llama.cpp's vocab file) with Qwen2.5-Coder's FIM tokens. `
        + "Baselines: " + Object.entries(output.baselines).map(([k, v]) => `\`${k}\`: ${v}`).join("; ") + ".");
    if (Object.keys(output.notes).length) {
        lines.push("", "Not measured in this run: " + Object.entries(output.notes).map(([k, v]) => `${k}: ${v}`).join("; "));
    }
    if (Object.keys(output.errors).length) {
        lines.push("", "Failed measurements: " + Object.entries(output.errors).map(([k, v]) => `${k}: ${v}`).join("; "));
    }
    return `${lines.join("\n")}\n`;
}

/** Replaces the README's generated table for `marker` ("bench" or "bench-gpu"); the markers must exist. */
export function updateReadme(readmePath: string, marker: string, markdown: string): void {
    const readme = fs.readFileSync(readmePath, "utf8");
    const begin = `<!-- ${marker}:begin (generated by npm run bench from bench/results${marker === "bench-gpu" ? "-gpu" : ""}.json; do not edit) -->`;
    const end = `<!-- ${marker}:end -->`;
    const from = readme.indexOf(`<!-- ${marker}:begin`);
    const to = readme.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${begin} … ${end} section`);
    const updated = `${readme.slice(0, from)}${begin}\n${markdown}${readme.slice(to)}`;
    fs.writeFileSync(readmePath, updated);
}
