/**
 * The engine turns generated tokens into text incrementally: it detokenizes only the tokens after the last complete
 * character (with the tokens before them as context) and looks for stop strings only in text not yet emitted.
 * These tests hold that to the straightforward way: the same greedy generation run in this process with
 * node-llama-cpp (same model, context settings and thread count as the engine), all tokens detokenized at once.
 * Models: stories260K (SentencePiece: "▁word" spaces depend on the token before), llama-2-tiny-random (random weights:
 * byte-fallback tokens) and a random-weight model with Qwen2's byte-level vocabulary (characters split across tokens,
 * so text often ends inside a multi-byte character).
 */
import * as assert from "node:assert/strict";
import type { EngineProcess } from "../../src/engineClient/engineProcess";
import { newEngineProcess, testLoadParams } from "../helpers/embedded";
import { fixture } from "../helpers/fixtures";
import { qwen2VocabModel } from "../helpers/llamaVocab";

const PROMPT = "Once upon a time";
const TOKENS = 300;

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

/** Greedy generation in this process, as the engine's `complete` does it; the answer detokenized in one go. */
async function directGreedy(nlc: NodeLlamaCpp, modelPath: string): Promise<{ text: string; tokens: number }> {
    const llama = await nlc.getLlama({ gpu: false, build: "never", logLevel: nlc.LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
    // The engine's context (src/engine/modelHost.ts) for testLoadParams: 2048 max, 2 sequences, 1 thread.
    const context = await model.createContext({ contextSize: { min: 512, max: 2048 }, sequences: 2, threads: 1 });
    try {
        const sequence = context.getSequence();
        const prompt = model.tokenize(PROMPT, false);
        const bos = model.tokens.bos;
        const input = bos != null && model.tokens.shouldPrependBosToken && prompt[0] !== bos ? [bos, ...prompt] : prompt;
        const generated: (typeof input)[number][] = [];
        for await (const token of sequence.evaluate(input, { temperature: 0 })) {
            if (model.isEogToken(token)) break;
            generated.push(token);
            if (generated.length >= TOKENS) break;
        }
        const text = model.detokenize(generated, false, input.slice(-8)).replace(/\uFFFD+$/, "");
        return { text, tokens: generated.length };
    } finally {
        await context.dispose();
        await model.dispose();
    }
}

/**
 * A stop string (6-40 characters) whose first occurrence is as late in `text` as possible (random-weight models
 * loop, so their answers repeat early text).
 */
function lateStop(text: string): { stop: string; first: number } {
    let best = { stop: "", first: -1 };
    for (let length = 6; length <= 40; length++) {
        for (let at = text.length - length; at > best.first; at--) {
            const stop = text.slice(at, at + length);
            if (text.indexOf(stop) === at) { best = { stop, first: at }; break; }
        }
    }
    return best;
}

describe("engine: incremental detokenizing and stop strings match detokenizing the whole answer", function () {
    this.timeout(120_000);
    let engine: EngineProcess;
    let nlc: NodeLlamaCpp;
    before(async () => {
        nlc = await import("node-llama-cpp");
        engine = newEngineProcess();
    });
    after(() => engine.dispose());

    const models: [string, () => Promise<string>][] = [
        ["stories260K (SentencePiece)", async () => fixture("stories260K.gguf")],
        ["llama-2-tiny-random (byte-fallback tokens)", async () => fixture("llama-2-tiny-random.gguf")],
        ["random weights, Qwen2 byte-level vocabulary", qwen2VocabModel],
    ];

    for (const [name, modelPath] of models) {
        it(`${name}: ${TOKENS} greedy tokens give the same text, streamed and returned; a late stop string cuts it exactly`, async () => {
            const file = await modelPath();
            const expected = await directGreedy(nlc, file);
            await engine.request("loadModel", testLoadParams(file, 2048));
            let streamed = "";
            const r = await engine.request("complete", {
                sequence: "chat", prompt: PROMPT, maxTokens: TOKENS, sampling: { temperature: 0 }, reuseCache: false,
            }, { onEvent: (e) => { streamed += e.text; } });
            assert.equal(r.tokens, expected.tokens, "the engine generated another number of tokens than node-llama-cpp in-process");
            assert.equal(r.text, expected.text, "the engine's text differs from detokenizing the whole answer at once");
            assert.equal(streamed, r.text, "the streamed text differs from the result");
            assert.ok(r.text.length > 100, `only ${r.text.length} characters`);

            // A stop string that first occurs as late as possible (after text was emitted): the answer ends just before it.
            const { stop, first } = lateStop(r.text);
            assert.ok(first > 20, `no stop string found after the answer's start (${first} of ${r.text.length})`);
            let streamedStop = "";
            const s = await engine.request("complete", {
                sequence: "chat", prompt: PROMPT, maxTokens: TOKENS, sampling: { temperature: 0 }, reuseCache: false, stop: [stop],
            }, { onEvent: (e) => { streamedStop += e.text; } });
            assert.equal(s.stopReason, "stop");
            assert.equal(s.text, r.text.slice(0, first));
            assert.equal(streamedStop, s.text);
            console.log(`      ${r.tokens} tokens → ${r.text.length} characters; stop ${JSON.stringify(stop)} ended it at ${first} of ${r.text.length}`);
        });
    }
});
