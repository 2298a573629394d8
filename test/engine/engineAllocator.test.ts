/**
 * The engine process runs with glibc's allocator settings from src/engineClient/engineAllocator.ts (Linux), and
 * they keep the copies of a large tokenizer that node-llama-cpp's memory checks build out of the engine's memory:
 * the same model loaded by an engine started as the product starts it, and by one started with glibc's defaults.
 * Likewise its V8 flags (a small young generation), against an engine started with V8's defaults.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { ENGINE_ALLOCATOR_ENV, ENGINE_EXEC_ARGV } from "../../src/engineClient/engineAllocator";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { testLoadParams } from "../helpers/embedded";
import { processMemory } from "../helpers/engineMemory";
import { ENGINE_PATH } from "../helpers/fixtures";
import { qwen2VocabModel } from "../helpers/llamaVocab";

const linux = process.platform === "linux";

function engine(env?: NodeJS.ProcessEnv, execArgv?: string[]): EngineProcess {
    return new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined, env, execArgv });
}

function environOf(pid: number): Record<string, string> {
    return Object.fromEntries(fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

/** Private memory and peak RSS (MiB) of an engine after it loaded `model` and answered once. */
async function memoryAfterLoad(e: EngineProcess, model: string): Promise<{ anonMiB: number; peakMiB: number }> {
    await e.request("loadModel", testLoadParams(model, 2048));
    await e.request("complete", { sequence: "chat", prompt: "Hello", maxTokens: 8, sampling: { temperature: 0 } });
    const { rssAnonBytes, peakRssBytes } = processMemory(e.pid!);
    return { anonMiB: rssAnonBytes / 2 ** 20, peakMiB: peakRssBytes / 2 ** 20 };
}

describe("engine process: V8's young generation", function () {
    this.timeout(180_000);
    const engines: EngineProcess[] = [];
    afterEach(() => engines.splice(0).forEach((e) => e.dispose()));

    before(function () {
        if (!linux) this.skip(); // the command line and the memory figures are read from /proc
    });

    it("starts the engine with a 1 MiB semi-space, which keeps the young generation that reading a 152k vocabulary grew out of its memory", async () => {
        const model = await qwen2VocabModel();
        const product = engine();
        const v8Defaults = engine(undefined, []);
        engines.push(product, v8Defaults);
        await product.start();
        const argv = fs.readFileSync(`/proc/${product.pid!}/cmdline`, "utf8").split("\0");
        for (const flag of ENGINE_EXEC_ARGV) assert.ok(argv.includes(flag), `${flag} is not on the engine's command line: ${argv.join(" ")}`);
        // One after the other, so each load has both cores.
        const base = await memoryAfterLoad(v8Defaults, model);
        const tuned = await memoryAfterLoad(product, model);
        console.log(`      private memory after load: ${tuned.anonMiB.toFixed(0)} MiB with ${ENGINE_EXEC_ARGV.join(" ")}, `
            + `${base.anonMiB.toFixed(0)} MiB with V8's defaults (peak RSS ${tuned.peakMiB.toFixed(0)} vs ${base.peakMiB.toFixed(0)} MiB)`);
        // Peak RSS, as the bench's memory_vs_two_servers_ratio counts it: measured 21–28 MiB lower over six runs.
        // (Private memory afterwards was 11–29 MiB lower: the vocabulary's strings, now promoted early, wait in
        // the old generation for its next full collection.)
        assert.ok(tuned.peakMiB < base.peakMiB - 15,
            `peak RSS ${tuned.peakMiB.toFixed(0)} MiB is not at least 15 MiB below V8's defaults (${base.peakMiB.toFixed(0)} MiB)`);
    });
});

describe("engine process: allocator settings", function () {
    this.timeout(180_000);
    const engines: EngineProcess[] = [];
    afterEach(() => engines.splice(0).forEach((e) => e.dispose()));

    before(function () {
        if (!linux) this.skip(); // glibc settings; other platforms start the engine with the host's environment
    });

    it("starts the engine with them, and a value from the user's own environment wins", async () => {
        const product = engine();
        const tuned = engine({ MALLOC_ARENA_MAX: "4" });
        engines.push(product, tuned);
        await Promise.all([product.start(), tuned.start()]);
        const env = environOf(product.pid!);
        for (const [key, value] of Object.entries(ENGINE_ALLOCATOR_ENV)) assert.equal(env[key], value, key);
        assert.equal(environOf(tuned.pid!).MALLOC_ARENA_MAX, "4");
        assert.equal(environOf(tuned.pid!).MALLOC_TRIM_THRESHOLD_, ENGINE_ALLOCATOR_ENV.MALLOC_TRIM_THRESHOLD_);
    });

    it("a model with a 152k-token vocabulary costs less private memory than with glibc's defaults", async () => {
        const model = await qwen2VocabModel();
        // glibc's own defaults (8 arenas per core, 128 KiB trim threshold, dynamic mmap threshold): an undefined
        // value leaves the variable out of the child's environment (Node skips it), as if Hearth never set it.
        const defaults = engine({ MALLOC_ARENA_MAX: undefined, MALLOC_TRIM_THRESHOLD_: undefined, MALLOC_MMAP_THRESHOLD_: undefined, GLIBC_TUNABLES: undefined });
        const product = engine();
        engines.push(defaults, product);
        // One after the other, so each load has both cores, as a user's engine has.
        const base = await memoryAfterLoad(defaults, model);
        const tuned = await memoryAfterLoad(product, model);
        console.log(`      private memory after load: ${tuned.anonMiB.toFixed(0)} MiB with the engine's settings, `
            + `${base.anonMiB.toFixed(0)} MiB with glibc's defaults (peak RSS ${tuned.peakMiB.toFixed(0)} vs ${base.peakMiB.toFixed(0)} MiB)`);
        assert.ok(tuned.anonMiB < base.anonMiB - 20,
            `private memory ${tuned.anonMiB.toFixed(0)} MiB is not at least 20 MiB below glibc's defaults (${base.anonMiB.toFixed(0)} MiB)`);
    });
});
