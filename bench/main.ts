/**
 * `npm run bench` (full) and `npm run bench -- --quick` (CI smoke run, a few minutes on 2 cores; goals are
 * reported, never enforced). Options: --threads N (default 1, recorded), --context N (default 4096),
 * --only name,name (engine,load,chat,chattiny,fim,cancel,rss,activation,index,llamabench).
 *
 * Writes bench/results.json ({ machine, results: { key: number }, baselines, errors }) and bench/results.md (the
 * table the README embeds), plus a copy per mode (results-full.* / results-quick.*) so a quick run does not hide the
 * last full run. Every ratio's baseline is measured in the same run, interleaved with what it is compared to.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { measureActivation } from "./activation";
import { measureChatRss } from "./chatRss";
import { measureChatStream } from "./chatStream";
import { measureCancel, measureEngineStart, measureModelLoads } from "./engineTimings";
import { measureFim } from "./fim";
import { measureKnowledgeIndex } from "./index";
import { CACHE_DIR, log, machineInfo, REPO_ROOT, round, type BenchOptions } from "./lib";
import { measureLlamaBench } from "./llamaBench";
import { ensureGeneratedModel, ensureTinyModel, FIXTURE_MODELS, fixturesDir } from "./models";
import { renderMarkdown } from "./report";

function parseArgs(argv: string[]): BenchOptions {
    const value = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const threads = Number(value("--threads") ?? 1);
    const contextSize = Number(value("--context") ?? 4096);
    if (!Number.isInteger(threads) || threads < 1) throw new Error("--threads must be a positive integer");
    if (!Number.isInteger(contextSize) || contextSize < 512) throw new Error("--context must be an integer ≥ 512");
    return {
        quick: argv.includes("--quick"), threads, contextSize, only: (value("--only") ?? "").split(",").filter(Boolean),
        outDir: value("--out-dir"),
    };
}

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    const started = performance.now();
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    log(`Hearth bench (${options.quick ? "quick" : "full"}), ${options.threads} thread(s), context ${options.contextSize}`);
    const machine = machineInfo(options);
    const generated = await ensureGeneratedModel(options.quick);
    const generatedName = path.basename(generated.path).replace(/-[0-9a-f]{16}\.gguf$/, "");
    const models = [
        ...FIXTURE_MODELS.map((f) => ({ name: f.replace(/\.gguf$/, "").replace(/[^A-Za-z0-9]+/g, "_"), path: path.join(fixturesDir(), f) })),
        { name: generatedName, path: generated.path },
    ];

    const results: Record<string, number> = {
        generated_model_params_m: round(generated.parameters / 1e6, 1),
        generated_model_mib: round(generated.bytes / 2 ** 20, 1),
    };
    const errors: Record<string, string> = {};
    const steps: { name: string; run: () => Promise<Record<string, number>>; fullOnly?: boolean }[] = [
        { name: "engine", run: () => measureEngineStart(options) },
        { name: "load", run: () => measureModelLoads(models, options) },
        { name: "chat", run: () => measureChatStream(generated.path, options) },
        { name: "chattiny", run: async () => measureChatStream((await ensureTinyModel()).path, options, "tiny", 512) },
        { name: "fim", run: () => measureFim(generated.path, options) },
        { name: "cancel", run: () => measureCancel(generated.path, options) },
        { name: "rss", run: () => measureChatRss(options.quick ? path.join(fixturesDir(), "stories260K-chat-fim.derived.gguf") : generated.path, options) },
        { name: "activation", run: () => measureActivation(options) },
        { name: "index", run: () => measureKnowledgeIndex(options) },
        { name: "llamabench", run: () => measureLlamaBench(generated.path, options), fullOnly: true },
    ];
    for (const step of steps) {
        if (options.only.length && !options.only.includes(step.name)) continue;
        if (step.fullOnly && options.quick) continue;
        log(`== ${step.name}`);
        const stepStarted = performance.now();
        try {
            Object.assign(results, await step.run());
        } catch (err) {
            errors[step.name] = err instanceof Error ? err.message : String(err);
            log(`  FAILED: ${errors[step.name]}`);
        }
        log(`  (${((performance.now() - stepStarted) / 1000).toFixed(1)} s)`);
    }
    results.bench_total_s = round((performance.now() - started) / 1000, 1);

    const baselines = {
        chat_stream_ratio: "node-llama-cpp LlamaChat in-process, same model/prompt/context/threads, greedy, fixed maxTokens (EOS silenced in the generated model, so both sides generate exactly maxTokens)",
        ttft_ratio: "the same in-process LlamaChat run's time to first text chunk",
        fim_reuse_p50_ratio: "the same completion path with reuseCache: false (sequence cleared before each request)",
        direct_vs_llamabench_tg: "llama.cpp's llama-bench (tg, 64 tokens) built from node-llama-cpp's bundled source, linked to its prebuilt libraries",
        chat50_rss_drift: `engine RSS after round 10 of the same chat (model: ${options.quick ? "stories260K-chat-fim.derived" : generatedName})`,
    };
    const output = { machine, models: models.map((m) => ({ name: m.name, file: path.relative(REPO_ROOT, m.path) })), results, baselines, errors };
    const json = `${JSON.stringify(output, null, 2)}\n`;
    const md = renderMarkdown(output);
    const mode = options.quick ? "quick" : "full";
    const partial = options.only.length > 0;
    // A partial run (--only) is for trying things out: it goes to the cache, never over the committed results.
    // --out-dir (npm test's smoke run) writes results.json there and leaves the committed figures alone.
    if (options.outDir) fs.mkdirSync(path.resolve(options.outDir), { recursive: true });
    const targets = options.outDir ? [path.join(path.resolve(options.outDir), "results")]
        : partial ? [path.join(CACHE_DIR, `results-${mode}-partial`)]
            : [path.join(REPO_ROOT, "bench", "results"), path.join(REPO_ROOT, "bench", `results-${mode}`)];
    for (const base of targets) {
        fs.writeFileSync(`${base}.json`, json);
        fs.writeFileSync(`${base}.md`, md);
    }
    console.log(`\n${md}`);
    log(`done in ${results.bench_total_s} s; wrote ${targets.map((t) => `${path.relative(REPO_ROOT, t)}.{json,md}`).join(", ")}`);
    if (Object.keys(errors).length) {
        console.error(`bench: ${Object.keys(errors).length} measurement(s) failed: ${Object.keys(errors).join(", ")}`);
        process.exitCode = 1;
    }
}

main().then(
    () => process.exit(),
    (err: unknown) => {
        console.error(err instanceof Error ? err.stack : err);
        process.exit(1);
    },
);
