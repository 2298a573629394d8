/**
 * Probe (not part of `npm run bench`): how much of each generated token node-llama-cpp spends outside llama_decode
 * (sampling over the vocabulary, logits copies, the hops between the decode thread and JavaScript), for a bare
 * `evaluate` loop and for LlamaChat, one thread. The addon's decodeBatch is timed through a proxy.
 *
 *   node bench/probes/decodeOverhead.mjs MODEL.gguf
 */
import { getLlama, LlamaChat, LlamaLogLevel } from "node-llama-cpp";

const modelPath = process.argv[2];
if (!modelPath) throw new Error("usage: node bench/probes/decodeOverhead.mjs MODEL.gguf");
const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({ contextSize: { min: 512, max: 4096 }, sequences: 2, threads: 1 });
let inDecodeMs = 0;
const addon = context._ctx;
const decodeBatch = addon.decodeBatch.bind(addon);
context._ctx = new Proxy(addon, {
    get(target, key) {
        if (key === "decodeBatch") {
            return async () => {
                const started = performance.now();
                try {
                    return await decodeBatch();
                } finally {
                    inDecodeMs += performance.now() - started;
                }
            };
        }
        const value = target[key];
        return typeof value === "function" ? value.bind(target) : value;
    },
});
const sequence = context.getSequence();
const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
const tokens = 128;
for (let run = 0; run < 6; run++) {
    let n = 0;
    let started = 0;
    let decodeBefore = 0;
    const first = () => {
        started = performance.now();
        decodeBefore = inDecodeMs;
    };
    if (run % 2 === 0) {
        await sequence.clearHistory();
        for await (const token of sequence.evaluate(model.tokenize(`Session ${run}. Explain what a KV cache is.`), { temperature: 0 })) {
            void token;
            if (n === 0) first();
            if (++n > tokens) break;
        }
    } else {
        const history = [{ type: "system", text: `Session ${run}.` }, { type: "user", text: "Explain what a KV cache is." }, { type: "model", response: [] }];
        await chat.generateResponse(history, {
            maxTokens: tokens + 1, temperature: 0, repeatPenalty: false,
            onToken: () => {
                if (n++ === 0) first();
            },
        });
    }
    const total = performance.now() - started;
    const decode = inDecodeMs - decodeBefore;
    console.log(`${run % 2 ? "LlamaChat" : "evaluate "}: ${((tokens * 1000) / total).toFixed(1)} tok/s; per token ${(total / tokens).toFixed(2)} ms, `
        + `in llama_decode ${(decode / tokens).toFixed(2)} ms, outside ${((total - decode) / tokens).toFixed(2)} ms`);
}
chat.dispose();
await context.dispose();
await model.dispose();
