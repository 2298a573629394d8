/**
 * 9. direct_vs_llamabench_tg (full run only): token generation speed of node-llama-cpp used directly in-process
 * ÷ llama.cpp's own llama-bench `tg` test, same model, threads and (default, "auto") flash attention, and the
 * thread-count study behind `autoThreadCount` (absolute tok/s at 1 and 2 threads, directly, through Hearth's
 * engine, and in llama-bench).
 *
 * llama-bench is compiled here from the llama.cpp source node-llama-cpp ships (its gitRelease.bundle, same
 * commit as the binaries) and linked against node-llama-cpp's own prebuilt libllama/libggml/libllama-common, so
 * both sides run the very same compute kernels: only llama-bench.cpp itself is compiled (seconds, not a full
 * llama.cpp build). Cached in bench/.cache/llama-bench/.
 *
 * llama-bench decodes one token at a time without sampling; the direct side samples greedily each token, as real
 * generation does, so the ratio is node-llama-cpp's whole per-token overhead.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureLlamaCppSource } from "./models";
import type { EngineProcess } from "../src/engineClient/engineProcess";
import { CACHE_DIR, loadDirect, loadParams, log, median, newEngine, REPO_ROOT, round, type BenchOptions } from "./lib";

const BENCH_DIR = path.join(CACHE_DIR, "llama-bench");
const PREBUILT = path.join(REPO_ROOT, "node_modules", "@node-llama-cpp", "linux-x64", "bins", "linux-x64");

/** Builds (once) and returns the llama-bench executable, or throws saying what is missing. */
export function ensureLlamaBench(): string {
    const exe = path.join(BENCH_DIR, "llama-bench");
    if (fs.existsSync(exe)) return exe;
    if (process.platform !== "linux" || process.arch !== "x64") throw new Error("llama-bench build is only scripted for linux-x64");
    if (!fs.existsSync(PREBUILT)) throw new Error(`node-llama-cpp's prebuilt binaries are missing at ${PREBUILT}`);
    const src = ensureLlamaCppSource();
    fs.mkdirSync(BENCH_DIR, { recursive: true });
    // The same shared libraries node-llama-cpp loads, next to the executable ($ORIGIN rpath; ggml finds its
    // CPU-variant backends in the executable's folder too).
    for (const f of fs.readdirSync(PREBUILT)) if (f.endsWith(".so")) fs.copyFileSync(path.join(PREBUILT, f), path.join(BENCH_DIR, f));
    for (const f of fs.readdirSync(BENCH_DIR)) {
        const versioned = /^(lib[\w-]+)\.v[\d.]+\.so$/.exec(f);
        if (!versioned) continue;
        fs.rmSync(path.join(BENCH_DIR, `${versioned[1]}.so`), { force: true });
        fs.symlinkSync(f, path.join(BENCH_DIR, `${versioned[1]}.so`));
    }
    const tool = path.join(src, "tools", "llama-bench");
    log("compiling llama-bench against node-llama-cpp's prebuilt libraries");
    execFileSync("g++", [
        "-std=c++17", "-O2",
        ...["common", "include", "ggml/include", "vendor"].map((d) => `-I${path.join(src, d)}`), `-I${tool}`,
        path.join(tool, "llama-bench.cpp"), path.join(tool, "main.cpp"),
        "-o", exe, `-L${BENCH_DIR}`, "-lllama-common", "-lllama", "-lggml", "-lggml-base", "-lpthread", "-Wl,-rpath,$ORIGIN",
    ], { stdio: "inherit" });
    return exe;
}

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

export async function measureLlamaBench(modelPath: string, options: BenchOptions) {
    const exe = ensureLlamaBench();
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
        try {
            await engine.request("loadModel", { ...loadParams(modelPath, options), threads: t });
            await directTg(direct, 8, 1); // warm-up
            await engineTg(engine, 8, 1);
            // Short alternating rounds so background load hits all three alike.
            for (let round = 0; round < rounds; round++) {
                lb.push(...llamaBenchTg(exe, modelPath, t, tokens, 2));
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
        results[`direct_vs_llamabench_tg_t${t}`] = round(d / l, 4);
        // The slowest sample shows how badly a thread count degrades when something else wants the CPU.
        results[`llamabench_tg_tps_t${t}_min`] = round(Math.min(...lb), 2);
        results[`engine_tg_tps_t${t}_min`] = round(Math.min(...en), 2);
        log(`  ${t} thread(s), median of ${lb.length}: llama-bench ${l.toFixed(1)} tok/s, direct ${d.toFixed(1)} tok/s, `
            + `engine ${e.toFixed(1)} tok/s → direct/llama-bench ${(d / l).toFixed(3)}`);
    }
    results.direct_vs_llamabench_tg = results[`direct_vs_llamabench_tg_t${options.threads}`]!;
    return results;
}
