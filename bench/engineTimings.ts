/**
 * 4. cancel_stop_ms_p95: from the client's cancel (AbortController.abort, what the Stop button does) to the
 *    engine's result with stopReason "cancelled" arriving back at the client, for a streamed chat answer.
 * 6. engine_start_ms: fork of dist/engine.mjs → its `ready` message; model_load_ms_<model>: the `loadModel`
 *    round trip per model on a running engine whose backend is already initialised (so it is the model and its
 *    context, not getLlama), with the file in the OS page cache after the first repetition.
 *    engine_cold_to_ready_ms: fork → first model ready, what a user waits for on the first request.
 */
import * as path from "node:path";
import { loadParams, log, median, newEngine, percentile, round, type BenchOptions, type StepOutput } from "./lib";

export async function measureEngineStart(options: BenchOptions) {
    const runs = options.quick ? 3 : 7;
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
        const engine = newEngine();
        try {
            const started = performance.now();
            await engine.start();
            samples.push(performance.now() - started);
        } finally {
            engine.dispose();
        }
    }
    log(`  engine start: ${samples.map((s) => s.toFixed(0)).join(", ")} ms`);
    return { engine_start_ms: round(median(samples), 2) };
}

export async function measureModelLoads(models: { name: string; path: string }[], options: BenchOptions) {
    const runs = options.quick ? 2 : 5;
    const results: Record<string, number> = {};
    // Cold path: a fresh engine process, backend initialisation and the first model (the smallest fixture).
    const coldSamples: number[] = [];
    for (let i = 0; i < (options.quick ? 1 : 3); i++) {
        const engine = newEngine();
        try {
            const started = performance.now();
            await engine.request("loadModel", loadParams(models[0]!.path, options));
            coldSamples.push(performance.now() - started);
        } finally {
            engine.dispose();
        }
    }
    results.engine_cold_to_ready_ms = round(median(coldSamples), 2);

    const engine = newEngine();
    try {
        await engine.request("loadModel", loadParams(models[0]!.path, options));
        for (const model of models) {
            const samples: number[] = [];
            for (let i = 0; i < runs; i++) {
                await engine.request("unload", {});
                const started = performance.now();
                await engine.request("loadModel", loadParams(model.path, options));
                samples.push(performance.now() - started);
            }
            results[`model_load_ms_${model.name}`] = round(median(samples), 2);
            log(`  load ${path.basename(model.path)}: ${samples.map((s) => s.toFixed(0)).join(", ")} ms`);
        }
    } finally {
        engine.dispose();
    }
    return results;
}

/**
 * model_load_ms_7b (GPU runs only): the loadModel round trip of a generated 7B-shaped model with every layer the
 * GPU takes, the file in the page cache (the first load, which reads it from disk, is not counted).
 */
export async function measureLoad7b(modelPath: string, options: BenchOptions): Promise<StepOutput> {
    const engine = newEngine();
    try {
        const first = await engine.request("loadModel", loadParams(modelPath, options));
        if (first.backend === "cpu") return { results: {}, notes: { load7b: "no GPU: a 7B model load on the CPU is not what this figure is about" } };
        const samples: number[] = [];
        for (let i = 0; i < 3; i++) {
            await engine.request("unload", {});
            const started = performance.now();
            await engine.request("loadModel", loadParams(modelPath, options));
            samples.push(performance.now() - started);
        }
        log(`  7B load on ${first.backend} (${first.gpuLayers}/${first.totalLayers} layers): ${samples.map((s) => s.toFixed(0)).join(", ")} ms`);
        return { results: { model_load_ms_7b: round(median(samples), 2), model_load_7b_gpu_layers: first.gpuLayers } };
    } finally {
        engine.dispose();
    }
}

export async function measureCancel(modelPath: string, options: BenchOptions) {
    const runs = options.quick ? 10 : 25;
    const engine = newEngine();
    const stops: number[] = [];
    try {
        await engine.request("loadModel", loadParams(modelPath, options));
        for (let i = 0; i < runs; i++) {
            const controller = new AbortController();
            let cancelledAt = 0;
            // Cancel after a varying number of tokens so the abort lands at different points of a token's compute.
            const cancelAfter = 3 + (i % 5);
            const result = await engine.request("chat", {
                messages: [{ role: "user", text: `Write a long story number ${i} about a lighthouse keeper.` }],
                maxTokens: 2000,
                sampling: { temperature: 0 },
            }, {
                signal: controller.signal,
                onEvent: (e) => {
                    if (!cancelledAt && e.tokens >= cancelAfter) {
                        cancelledAt = performance.now();
                        controller.abort();
                    }
                },
            });
            const stoppedAt = performance.now();
            if (result.stopReason !== "cancelled") throw new Error(`chat ended with ${result.stopReason}, not cancelled`);
            stops.push(stoppedAt - cancelledAt);
        }
        const tokenMs = await tokenTime(engine);
        log(`  cancel → stopped: p50 ${median(stops).toFixed(1)} ms, p95 ${percentile(stops, 95).toFixed(1)} ms, max `
            + `${Math.max(...stops).toFixed(1)} ms (one token takes ${tokenMs.toFixed(1)} ms)`);
        return {
            cancel_stop_ms_p95: round(percentile(stops, 95), 2),
            cancel_stop_ms_p50: round(median(stops), 2),
            cancel_token_ms: round(tokenMs, 2),
        };
    } finally {
        engine.dispose();
    }
}

/** Time of one generated token on this model (cancellation cannot be faster than the token in flight). */
async function tokenTime(engine: ReturnType<typeof newEngine>): Promise<number> {
    const r = await engine.request("complete", {
        sequence: "chat", prompt: "The lighthouse", maxTokens: 32, sampling: { temperature: 0 },
    });
    return r.tokensPerSecond > 0 ? 1000 / r.tokensPerSecond : NaN;
}
