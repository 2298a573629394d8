/**
 * `npm run bench` (full) and `npm run bench -- --quick` (CI smoke run; goals are reported, never enforced).
 * Options: --threads N (default: the product's own default for this machine, hearth.threads 0), --context N
 * (default 4096), --gpu auto|cpu (default auto, as hearth.gpu), --only name,name (see STEPS), --out-dir DIR.
 * `npm run bench -- --check` (bench/run.mjs) only says whether the committed results are stale.
 *
 * A full run writes bench/results.json ({ machine (incl. commit + clean tree), results: { key: number }, baselines,
 * notes, errors }) and bench/results.md, and replaces the table in README.md between its bench markers; a run on
 * a GPU writes results-gpu.* instead. Nothing else touches the committed results: --quick and --only write into
 * bench/.cache (results[-gpu]-quick.*, results[-gpu][-quick]-partial.*), --out-dir DIR into DIR. Every ratio's
 * baseline is measured in the same run, interleaved with what it is compared to.
 *
 * Full-run-only steps (llamabench, load7b) are skipped by --quick unless --only names them: `--quick --only
 * llamabench` runs that step on the quick model, to try the full run's code path in a minute.
 *
 * Adding a measurement: write a function returning `Record<string, number>` (or StepOutput) and add it to STEPS.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resolveThreads } from "../src/core/settingsDefaults";
import { measureActivation } from "./activation";
import { measureChat50 } from "./chat50";
import { measureChatStream } from "./chatStream";
import { probeCompute } from "./compute";
import { measureCancel, measureEngineStart, measureLoad7b, measureModelLoads } from "./engineTimings";
import { measureKnowledgeIndex } from "./index";
import { CACHE_DIR, log, machineInfo, REPO_ROOT, round, type BenchOptions, type StepOutput } from "./lib";
import { measureLlamaBench } from "./llamaBench";
import { ensure7bModel, ensureGeneratedModel, ensureTinyModel, FIXTURE_MODELS, fixturesDir } from "./models";
import { renderMarkdown, updateReadme, type BenchOutput } from "./report";
import { measureVsServer } from "./vsServer";

interface StepContext {
    options: BenchOptions;
    /** Where the generated model runs in this run (cpu, cuda, vulkan, metal). */
    backend: string;
    /** The generated Qwen2-shaped model (0.5B full, ~100M quick). */
    generated: string;
    models: { name: string; path: string }[];
}

interface Step {
    name: string;
    run(ctx: StepContext): Promise<Record<string, number> | StepOutput>;
    /** Skipped by --quick, unless --only names it. */
    fullOnly?: boolean;
}

const STEPS: Step[] = [
    { name: "engine", run: ({ options }) => measureEngineStart(options) },
    { name: "load", run: ({ models, options }) => measureModelLoads(models, options) },
    { name: "chat", run: ({ generated, options }) => measureChatStream(generated, options) },
    { name: "chattiny", run: async ({ options }) => measureChatStream((await ensureTinyModel()).path, options, "tiny", 512) },
    { name: "server", run: ({ generated, options }) => measureVsServer(generated, options) },
    { name: "cancel", run: ({ generated, options }) => measureCancel(generated, options) },
    { name: "chat50", run: ({ generated, options }) => measureChat50(options.quick ? path.join(fixturesDir(), "stories260K-chat-fim.derived.gguf") : generated, options) },
    { name: "activation", run: ({ options }) => measureActivation(options) },
    { name: "index", run: ({ options }) => measureKnowledgeIndex(options) },
    { name: "llamabench", run: ({ generated, options }) => measureLlamaBench(generated, options), fullOnly: true },
    {
        name: "load7b",
        fullOnly: true,
        run: async ({ backend, options }) => backend === "cpu"
            ? { results: {}, notes: { load7b: "CPU run: the 7B-shaped model is only generated and loaded when a GPU is present" } }
            : measureLoad7b((await ensure7bModel()).path, options),
    },
];

function parseArgs(argv: string[]): BenchOptions {
    const value = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const threads = Number(value("--threads") ?? resolveThreads(0, os.availableParallelism()));
    const contextSize = Number(value("--context") ?? 4096);
    const gpu = value("--gpu") ?? "auto";
    if (!Number.isInteger(threads) || threads < 1) throw new Error("--threads must be a positive integer");
    if (!Number.isInteger(contextSize) || contextSize < 512) throw new Error("--context must be an integer ≥ 512");
    if (gpu !== "auto" && gpu !== "cpu") throw new Error("--gpu must be auto or cpu");
    const only = (value("--only") ?? "").split(",").filter(Boolean);
    const unknown = only.filter((o) => !STEPS.some((s) => s.name === o));
    if (unknown.length) throw new Error(`--only: unknown step(s) ${unknown.join(", ")}; steps: ${STEPS.map((s) => s.name).join(", ")}`);
    return { quick: argv.includes("--quick"), threads, contextSize, gpu, only, outDir: value("--out-dir") };
}

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    const started = performance.now();
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    log(`Hearth bench (${options.quick ? "quick" : "full"}), ${options.threads} thread(s), context ${options.contextSize}, --gpu ${options.gpu}`);
    const generated = await ensureGeneratedModel(options.quick);
    const generatedName = path.basename(generated.path).replace(/-[0-9a-f]{16}\.gguf$/, "");
    const compute = await probeCompute(generated.path, options);
    log(`compute: ${compute.backend}, ${compute.gpuLayers}/${compute.totalLayers} layers on the GPU${compute.devices.length ? `, ${compute.devices.join(", ")}` : ""}`);
    const machine = machineInfo(options, compute);
    const models = [
        ...FIXTURE_MODELS.map((f) => ({ name: f.replace(/\.gguf$/, "").replace(/[^A-Za-z0-9]+/g, "_"), path: path.join(fixturesDir(), f) })),
        { name: generatedName, path: generated.path },
    ];

    const results: Record<string, number> = {
        generated_model_params_m: round(generated.parameters / 1e6, 1),
        generated_model_mib: round(generated.bytes / 2 ** 20, 1),
    };
    const notes: Record<string, string> = {};
    const errors: Record<string, string> = {};
    const ctx: StepContext = { options, backend: compute.backend, generated: generated.path, models };
    for (const step of STEPS) {
        if (options.only.length && !options.only.includes(step.name)) continue;
        if (step.fullOnly && options.quick && !options.only.includes(step.name)) continue;
        log(`== ${step.name}`);
        const stepStarted = performance.now();
        try {
            const out = await step.run(ctx);
            const output: StepOutput = isStepOutput(out) ? out : { results: out };
            Object.assign(results, output.results);
            for (const [k, v] of Object.entries(output.notes ?? {})) notes[`${step.name}.${k}`] = v;
        } catch (err) {
            errors[step.name] = err instanceof Error ? err.message : String(err);
            log(`  FAILED: ${errors[step.name]}`);
        }
        log(`  (${((performance.now() - stepStarted) / 1000).toFixed(1)} s)`);
    }
    results.bench_total_s = round((performance.now() - started) / 1000, 1);

    const output: BenchOutput = {
        machine,
        models: models.map((m) => ({ name: m.name, file: path.relative(REPO_ROOT, m.path) })),
        results,
        baselines: baselines(generatedName, options),
        notes,
        errors,
    };
    writeOutputs(output, options);
    if (Object.keys(errors).length) {
        console.error(`bench: ${Object.keys(errors).length} measurement(s) failed: ${Object.keys(errors).join(", ")}`);
        process.exitCode = 1;
    }
}

function isStepOutput(value: Record<string, number> | StepOutput): value is StepOutput {
    return typeof (value as StepOutput).results === "object";
}

function baselines(generatedName: string, options: BenchOptions): Record<string, string> {
    return {
        chat_stream_ratio: "node-llama-cpp LlamaChat in-process with the messages the product's chat turn sent, same model/context/threads, greedy, fixed maxTokens (EOS silenced in the generated model, so both sides generate exactly maxTokens)",
        chat_vs_server_tok_ratio: "llama-server /v1/chat/completions (stream, greedy, the same messages), one slot, same model/context/threads",
        fim_vs_server_p50_ratio: "llama-server /infill with llama.vscode's request (256 lines before, 64 after, ring chunks as input_extra, cache_prompt, n_predict 16, t_max_predict_ms 500, top_k 40/top_p 0.99; llama.vscode's infill sampler left out because on a random-weight model it ends every answer after one token), server started as llama.vscode's launch_completion (-b/-ub 1024, --cache-reuse 256)",
        memory_vs_two_servers_ratio: "two llama-servers (chat + FIM) after the same chat and completion work",
        fim_reuse_p50_ratio: "the same completion path with reuseCache: false (sequence cleared before each request)",
        engine_vs_llamabench_tg: "llama.cpp's llama-bench (tg, 64 tokens) from scripts/llama-cpp-tools.mjs (node-llama-cpp's llama.cpp source, native CPU build)",
        engine_vs_llamabench_prebuilt_tg: "llama-bench (tg, 64 tokens) compiled from the same release's llama-bench sources and linked against node-llama-cpp's prebuilt libllama/libggml and CPU variants (bench/prebuiltLlamaBench.ts)",
        chat50_rss_drift: `engine memory in use (RSS after a full GC minus V8's empty committed heap) after round 10 of the same chat (model: ${options.quick ? "stories260K-chat-fim.derived" : generatedName})`,
    };
}

function writeOutputs(output: BenchOutput, options: BenchOptions): void {
    const json = `${JSON.stringify(output, null, 2)}\n`;
    const md = renderMarkdown(output);
    const gpu = output.machine.backend !== "cpu";
    const name = `results${gpu ? "-gpu" : ""}${options.quick ? "-quick" : ""}`;
    // A partial run (--only) or a quick one is for trying things out: it goes to the cache, never over the
    // committed results. --out-dir (npm test's smoke run) writes results.json there and leaves the committed figures alone.
    let base: string;
    if (options.outDir) {
        fs.mkdirSync(path.resolve(options.outDir), { recursive: true });
        base = path.join(path.resolve(options.outDir), "results");
    } else if (options.only.length) {
        base = path.join(CACHE_DIR, `${name}-partial`);
    } else if (options.quick) {
        base = path.join(CACHE_DIR, name);
    } else {
        base = path.join(REPO_ROOT, "bench", name);
    }
    fs.writeFileSync(`${base}.json`, json);
    fs.writeFileSync(`${base}.md`, md);
    console.log(`\n${md}`);
    const written = [`${path.relative(REPO_ROOT, base)}.{json,md}`];
    // The README shows the committed full run (CPU, and the GPU one when there is one).
    if (!options.quick && !options.outDir && !options.only.length) {
        updateReadme(path.join(REPO_ROOT, "README.md"), gpu ? "bench-gpu" : "bench", md);
        written.push("README.md");
    }
    log(`done in ${output.results.bench_total_s} s; wrote ${written.join(", ")}`);
}

main().then(
    () => process.exit(),
    (err: unknown) => {
        console.error(err instanceof Error ? err.stack : err);
        process.exit(1);
    },
);
