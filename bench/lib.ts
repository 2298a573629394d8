/**
 * Shared pieces of `npm run bench`: statistics, the engine client as the extension uses it, the in-process
 * node-llama-cpp baseline, and the machine description recorded with every result.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Llama } from "node-llama-cpp" with { "resolution-mode": "import" };
import { execFileSync } from "node:child_process";
import { EngineProcess } from "../src/engineClient/engineProcess";
import type { LoadModelParams } from "../src/protocol/engineProtocol";

export type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

/** The repository root, found from wherever this file was compiled or bundled to (out/bench, bench/.cache). */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        const pkg = path.join(dir, "package.json");
        if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "hearth") return dir;
        if (path.dirname(dir) === dir) throw new Error(`cannot find Hearth's package.json above ${start}`);
    }
}
export const CACHE_DIR = path.join(REPO_ROOT, "bench", ".cache");
export const ENGINE_PATH = path.join(REPO_ROOT, "dist", "engine.mjs");
const LOG_FILE = path.join(CACHE_DIR, "bench.log");

export interface BenchOptions {
    quick: boolean;
    /** Default: the product's own default for this machine (hearth.threads 0 → autoThreadCount). */
    threads: number;
    /** "auto" (default): the GPU when node-llama-cpp finds one, as the product's hearth.gpu default; "cpu" forces it. */
    gpu: "auto" | "cpu";
    contextSize: number;
    /** Only run these steps (bench/main.ts STEPS names; empty = all). */
    only: string[];
    /** Write results.{json,md} into this folder only (npm test's smoke run), not over the committed results. */
    outDir?: string;
}

export function median(values: readonly number[]): number {
    return percentile(values, 50);
}

/** Linear-interpolated percentile (p in 0..100), as numpy's default. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function round(value: number, digits = 3): number {
    if (!Number.isFinite(value)) return value;
    const f = 10 ** digits;
    return Math.round(value * f) / f;
}

export function log(message: string): void {
    const line = `[bench ${new Date().toISOString().slice(11, 19)}] ${message}`;
    console.log(line);
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    fs.appendFileSync(LOG_FILE, `${line}\n`);
}

/** The engine process exactly as the extension starts it (dist/engine.mjs through EngineProcess). */
export function newEngine(): EngineProcess {
    if (!fs.existsSync(ENGINE_PATH)) throw new Error(`${ENGINE_PATH} is missing: run \`npm run build\` first.`);
    return new EngineProcess({
        enginePath: ENGINE_PATH,
        execPath: process.execPath,
        log: (level, message) => {
            if (level === "error" || level === "warn") fs.appendFileSync(LOG_FILE, `[engine ${level}] ${message}\n`);
        },
    });
}

/** What the product's settings would ask the engine to load (src/engineClient/engineService.ts modelLoadParams). */
export function loadParams(modelPath: string, options: BenchOptions): LoadModelParams {
    return {
        modelPath, contextSize: options.contextSize, threads: options.threads, sequences: 2,
        gpu: options.gpu, gpuLayers: options.gpu === "cpu" ? 0 : "auto",
    };
}

/** A step's figures, plus notes on what it could not measure (shown under the README table). */
export interface StepOutput {
    results: Record<string, number>;
    notes?: Record<string, string>;
}

let nodeLlamaCpp: Promise<NodeLlamaCpp> | undefined;
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
    nodeLlamaCpp ??= import("node-llama-cpp");
    return nodeLlamaCpp;
}

let directLlama: { gpu: BenchOptions["gpu"]; llama: Promise<Llama> } | undefined;
/** node-llama-cpp in this process, configured as the engine configures it (same GPU choice, prebuilt binaries only). */
export function getDirectLlama(gpu: BenchOptions["gpu"]): Promise<Llama> {
    if (directLlama?.gpu !== gpu) {
        directLlama = {
            gpu,
            llama: loadNodeLlamaCpp().then(({ getLlama, LlamaLogLevel }) =>
                getLlama({ gpu: gpu === "cpu" ? false : "auto", build: "never", logLevel: LlamaLogLevel.error })),
        };
    }
    return directLlama.llama;
}

/** Direct in-process model + context with the engine's settings (same context bounds, 2 sequences, threads, layers). */
export async function loadDirect(modelPath: string, options: BenchOptions, threads = options.threads) {
    const llama = await getDirectLlama(options.gpu);
    const model = await llama.loadModel({ modelPath, gpuLayers: options.gpu === "cpu" ? 0 : "auto" });
    const context = await model.createContext({
        contextSize: { min: Math.min(512, options.contextSize), max: options.contextSize },
        sequences: 2,
        threads,
    });
    return {
        model,
        context,
        sequence: context.getSequence(),
        async dispose() {
            await context.dispose();
            await model.dispose();
        },
    };
}

/** Where the generated model ran in this run (the engine's own report) and on which device. */
export interface ComputeInfo {
    backend: string;
    gpuLayers: number;
    totalLayers: number;
    devices: string[];
}

export interface MachineInfo {
    cpuModel: string;
    cores: number;
    memoryGiB: number;
    backend: string;
    gpuLayers: number;
    totalLayers: number;
    threads: number;
    contextSize: number;
    node: string;
    nodeLlamaCpp: string;
    llamaCppRelease: string;
    os: string;
    gpu: string;
    mode: "quick" | "full";
    date: string;
    command: string;
    /** The commit measured and whether src/, bench/ or anything else tracked differed from it. */
    commit: string;
    cleanTree: boolean;
}

/** HEAD's commit and whether the working tree had changes to tracked files (results of a dirty tree say so). */
export function gitState(): { commit: string; cleanTree: boolean } {
    try {
        const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
        const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: REPO_ROOT, encoding: "utf8" })
            .split("\n").filter((l) => l.trim() && !/ bench\/results[^/]*$/.test(l) && !/ README\.md$/.test(l));
        return { commit, cleanTree: dirty.length === 0 };
    } catch {
        return { commit: "unknown", cleanTree: false };
    }
}

export function machineInfo(options: BenchOptions, compute: ComputeInfo): MachineInfo {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "node-llama-cpp", "package.json"), "utf8")) as { version: string };
    const release = JSON.parse(fs.readFileSync(
        path.join(REPO_ROOT, "node_modules", "node-llama-cpp", "llama", "binariesGithubRelease.json"), "utf8")) as { release: string };
    return {
        cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
        cores: os.availableParallelism(),
        memoryGiB: round(os.totalmem() / 2 ** 30, 1),
        backend: compute.backend,
        gpuLayers: compute.gpuLayers,
        totalLayers: compute.totalLayers,
        threads: options.threads,
        contextSize: options.contextSize,
        node: process.version,
        nodeLlamaCpp: pkg.version,
        llamaCppRelease: release.release,
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        gpu: compute.devices.length ? compute.devices.join(", ")
            : `none (${options.gpu === "cpu" ? "--gpu cpu" : "node-llama-cpp found no GPU"}; GPU figures are not measured)`,
        mode: options.quick ? "quick" : "full",
        date: new Date().toISOString(),
        command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
        ...gitState(),
    };
}

/** Runs `fn` and reports how long it took, for the log. */
export async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
        return await fn();
    } finally {
        log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
}
