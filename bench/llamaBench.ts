/**
 * engine_vs_llamabench_tg (full run only): token generation speed of Hearth's engine process (the `complete` op,
 * streamed to the client, greedy) ÷ llama.cpp's own llama-bench `tg` test, same model, threads and (default,
 * "auto") flash attention, at the bench's thread count (the product's default for this machine). Also measured at
 * 1 and 2 threads, with node-llama-cpp used directly in-process as a third column (what Hearth adds vs what
 * node-llama-cpp adds), and the slowest sample per side (a collapse under contention shows there).
 *
 * llama-bench comes from scripts/llama-cpp-tools.mjs (node-llama-cpp's llama.cpp source, built once per machine
 * for this CPU). A second llama-bench runs on node-llama-cpp's own prebuilt libraries (bench/prebuiltLlamaBench.ts),
 * so the gap splits into the binaries' share (prebuilt ÷ native llama-bench) and node-llama-cpp's in-process share
 * (engine ÷ prebuilt llama-bench). llama-bench decodes one token at a time without sampling; the engine and
 * node-llama-cpp direct sample greedily each token, as real generation does, so the ratios are the whole per-token
 * overhead above llama.cpp.
 */
import { execFileSync } from "node:child_process";
import type { EngineProcess } from "../src/engineClient/engineProcess";
import { ensureLlamaCppTools } from "../test/helpers/llamaCppTools";
import { loadDirect, loadParams, log, median, newEngine, round, type BenchOptions, type StepOutput } from "./lib";
import { ensurePrebuiltLlamaBench, prebuiltCpuVariant } from "./prebuiltLlamaBench";

function llamaBenchTg(exe: string, modelPath: string, threads: number, tokens: number, reps: number): number[] {
    const out = execFileSync(exe, ["-m", modelPath, "-t", String(threads), "-p", "0", "-n", String(tokens), "-r", String(reps), "-o", "json"], {
        encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 16 << 20,
    });
    const rows = JSON.parse(out) as { n_gen: number; samples_ts: number[] }[];
    const row = rows.find((r) => r.n_gen === tokens);
    if (!row) throw new Error("llama-bench printed no tg result");
    return row.samples_ts;
}

type Direct = Awaited<ReturnType<typeof loadDirect>>;

/** Same work as llama-bench's tg: `tokens` decodes from an empty sequence, here with greedy sampling. */
async function directTg(direct: Direct, tokens: number, reps: number): Promise<number[]> {
    const bos = direct.model.tokens.bos ?? direct.model.tokenize("a")[0]!;
    const samples: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
        await direct.sequence.clearHistory();
        let n = 0;
        const started = performance.now();
        for await (const token of direct.sequence.evaluate([bos], { temperature: 0 })) {
            void token;
            if (++n >= tokens) break;
        }
        samples.push((tokens * 1000) / (performance.now() - started));
    }
    return samples;
}

/** Through Hearth's engine process (the `complete` op, streamed), as the features get it. */
async function engineTg(engine: EngineProcess, tokens: number, reps: number): Promise<number[]> {
    const samples: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
        const r = await engine.request("complete", {
            sequence: "chat", prompt: `Run ${rep}:`, maxTokens: tokens, sampling: { temperature: 0 }, reuseCache: false,
        }, { onEvent: () => undefined });
        samples.push(r.tokensPerSecond);
    }
    return samples;
}

export async function measureLlamaBench(modelPath: string, options: BenchOptions): Promise<StepOutput> {
    const exe = (await ensureLlamaCppTools((m) => log(`  ${m}`))).llamaBench;
    const notes: Record<string, string> = {};
    const prebuilt = ensurePrebuiltLlamaBench();
    const prebuiltExe = "exe" in prebuilt ? prebuilt.exe : undefined;
    if ("missing" in prebuilt) notes.llamabench_prebuilt = `llama-bench on node-llama-cpp's prebuilt libraries: ${prebuilt.missing}`;
    else log(`  llama-bench on node-llama-cpp's prebuilt libraries runs their ${prebuiltCpuVariant(prebuilt.exe) ?? "(unreported)"} CPU variant`);
    const tokens = 64;
    const rounds = 4;
    const results: Record<string, number> = {};
    const threadCounts = [...new Set([1, 2, options.threads])].sort((a, b) => a - b);
    for (const t of threadCounts) {
        const direct = await loadDirect(modelPath, options, t);
        const engine = newEngine();
        const lb: number[] = [];
        const dt: number[] = [];
        const en: number[] = [];
        const pb: number[] = [];
        try {
            await engine.request("loadModel", { ...loadParams(modelPath, options), threads: t });
            await directTg(direct, 8, 1); // warm-up
            await engineTg(engine, 8, 1);
            // Short alternating rounds so background load hits all three alike.
            for (let round = 0; round < rounds; round++) {
                lb.push(...llamaBenchTg(exe, modelPath, t, tokens, 2));
                if (prebuiltExe) pb.push(...llamaBenchTg(prebuiltExe, modelPath, t, tokens, 2));
                dt.push(...await directTg(direct, tokens, 2));
                en.push(...await engineTg(engine, tokens, 2));
            }
        } finally {
            engine.dispose();
            await direct.dispose();
        }
        const [l, d, e] = [median(lb), median(dt), median(en)];
        results[`llamabench_tg_tps_t${t}`] = round(l, 2);
        results[`direct_tg_tps_t${t}`] = round(d, 2);
        results[`engine_tg_tps_t${t}`] = round(e, 2);
        results[`engine_vs_llamabench_tg_t${t}`] = round(e / l, 4);
        results[`direct_vs_llamabench_tg_t${t}`] = round(d / l, 4);
        // The slowest sample shows how badly a thread count degrades when something else wants the CPU.
        results[`llamabench_tg_tps_t${t}_min`] = round(Math.min(...lb), 2);
        results[`engine_tg_tps_t${t}_min`] = round(Math.min(...en), 2);
        if (pb.length) {
            const p = median(pb);
            results[`llamabench_prebuilt_tg_tps_t${t}`] = round(p, 2);
            results[`engine_vs_llamabench_prebuilt_tg_t${t}`] = round(e / p, 4);
            results[`llamabench_prebuilt_vs_native_tg_t${t}`] = round(p / l, 4);
        }
        log(`  ${t} thread(s), median of ${lb.length}: llama-bench ${l.toFixed(1)} tok/s`
            + (pb.length ? ` (on node-llama-cpp's prebuilt libraries ${median(pb).toFixed(1)})` : "")
            + `, direct ${d.toFixed(1)} tok/s, engine ${e.toFixed(1)} tok/s → engine/llama-bench ${(e / l).toFixed(3)} `
            + `(slowest: engine ${Math.min(...en).toFixed(1)}, llama-bench ${Math.min(...lb).toFixed(1)})`);
    }
    results.engine_vs_llamabench_tg = results[`engine_vs_llamabench_tg_t${options.threads}`]!;
    const prebuiltRatio = results[`engine_vs_llamabench_prebuilt_tg_t${options.threads}`];
    if (prebuiltRatio !== undefined) {
        results.engine_vs_llamabench_prebuilt_tg = prebuiltRatio;
        results.llamabench_prebuilt_vs_native_tg = results[`llamabench_prebuilt_vs_native_tg_t${options.threads}`]!;
    }
    results.llamabench_threads = options.threads;
    return { results, notes };
}
