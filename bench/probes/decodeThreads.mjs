/**
 * Probe (not part of `npm run bench`): node-llama-cpp in-process, greedy token generation at a given thread count,
 * the way the engine creates its context (2 sequences, context 512–4096, prebuilt binaries only). Compare with
 * llama-bench at the same thread count (`llama-bench -m MODEL -t N -p 0 -n 128`); run under
 * `strace -f -c -e trace=clone3` to count the threads llama.cpp creates per decode, or `perf record` to see
 * the time in ggml_barrier.
 *
 *   node bench/probes/decodeThreads.mjs MODEL.gguf [threads=1]
 */
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

const [modelPath, threadsArg = "1"] = process.argv.slice(2);
if (!modelPath) throw new Error("usage: node bench/probes/decodeThreads.mjs MODEL.gguf [threads]");
const threads = Number(threadsArg);
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({ contextSize: { min: 512, max: 4096 }, sequences: 2, threads });
const sequence = context.getSequence();
const prompt = model.tokenize("Explain what a KV cache is in a transformer and why reusing it makes code completion fast.");
const tokens = 128;
for (let run = 0; run < 4; run++) {
    await sequence.clearHistory();
    let n = 0;
    let started = 0;
    for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
        void token;
        if (n === 0) started = performance.now();
        if (++n > tokens) break;
    }
    console.log(`${threads} thread(s): ${((tokens * 1000) / (performance.now() - started)).toFixed(1)} tok/s`);
}
await context.dispose();
await model.dispose();
