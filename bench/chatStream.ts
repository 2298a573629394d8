/**
 * 1. chat_stream_ratio and 2. ttft_ms / ttft_ratio: a streamed chat answer through Hearth's engine process and
 * protocol (EngineProcess `chat`, timed where the chat panel would see it: on the client, at each text event's
 * arrival) against node-llama-cpp's LlamaChat used directly in this process, same model, prompt, context, threads
 * and greedy sampling. Runs alternate between the two sides so background load hits both alike.
 *
 * tok/s on both sides = (tokens at the last text chunk − tokens at the first) ÷ time between those chunks, so
 * time to first token is not counted twice. Each run starts with a different first message, so neither side
 * reuses the previous run's KV cache and TTFT includes the prompt evaluation. The direct side keeps one LlamaChat
 * for all runs, as an in-process app would; Hearth's engine builds one per request, so any per-request setup
 * cost is part of what TTFT measures (resolving the chat wrapper per request cost 250-600 ms until the engine
 * started caching it per model load).
 */
import type { ChatHistoryItem } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { ChatMessage } from "../src/protocol/generation";
import { loadDirect, loadNodeLlamaCpp, loadParams, log, median, newEngine, round, type BenchOptions } from "./lib";

export interface StreamSample {
    ttftMs: number;
    tokensPerSecond: number;
    tokens: number;
}

function promptFor(run: number): ChatMessage[] {
    return [
        { role: "system", text: `Session ${run}. You are a helpful assistant inside a code editor.` },
        { role: "user", text: "Explain what a KV cache is in a transformer and why reusing it makes code completion fast. "
            + "Give a short example with numbers." },
    ];
}

/** Rate between the first and last chunk from (time, tokens-so-far) arrival pairs. */
function rate(first: { at: number; tokens: number }, last: { at: number; tokens: number }): number {
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? (last.tokens - first.tokens) / seconds : NaN;
}

export async function measureChatStream(modelPath: string, options: BenchOptions, label = "", tokens?: number) {
    const runs = options.quick ? 5 : 7;
    const maxTokens = tokens ?? (options.quick ? 64 : 128);
    const engine = newEngine();
    const direct = await loadDirect(modelPath, options);
    const { LlamaChat } = await loadNodeLlamaCpp();
    // Created once, as an in-process app keeps its LlamaChat (or LlamaChatSession) for the whole conversation.
    const directChat = new LlamaChat({ contextSequence: direct.sequence, autoDisposeSequence: false });
    const hearth: StreamSample[] = [];
    const baseline: StreamSample[] = [];

    const runHearth = async (run: number): Promise<StreamSample> => {
        let first: { at: number; tokens: number } | undefined;
        let last = { at: 0, tokens: 0 };
        const started = performance.now();
        const result = await engine.request("chat", {
            messages: promptFor(run), maxTokens, sampling: { temperature: 0 },
        }, {
            onEvent: (e) => {
                const at = performance.now();
                first ??= { at, tokens: e.tokens };
                last = { at, tokens: e.tokens };
            },
        });
        if (!first) throw new Error("the engine streamed no text");
        return { ttftMs: first.at - started, tokensPerSecond: rate(first, last), tokens: result.tokens };
    };

    const runDirect = async (run: number): Promise<StreamSample> => {
        // The same history the engine builds from ChatMessage[] (src/engine/generation.ts runChat).
        const history: ChatHistoryItem[] = promptFor(run).map((m) =>
            m.role === "system" ? { type: "system", text: m.text } : { type: "user", text: m.text });
        history.push({ type: "model", response: [] });
        let tokens = 0;
        let first: { at: number; tokens: number } | undefined;
        let last = { at: 0, tokens: 0 };
        const started = performance.now();
        await directChat.generateResponse(history, {
            maxTokens,
            temperature: 0,
            repeatPenalty: false,
            onToken: (generated) => { tokens += generated.length; },
            onTextChunk: () => {
                const at = performance.now();
                first ??= { at, tokens };
                last = { at, tokens };
            },
        });
        if (!first) throw new Error("node-llama-cpp streamed no text");
        return { ttftMs: first.at - started, tokensPerSecond: rate(first, last), tokens };
    };

    try {
        await engine.request("loadModel", loadParams(modelPath, options));
        // One untimed warm-up per side: first-use allocations and page faults are not what we compare.
        await runHearth(-1);
        await runDirect(-2);
        for (let run = 0; run < runs; run++) {
            // Alternate which side goes first so slow drifts in background load cancel out.
            if (run % 2 === 0) {
                hearth.push(await runHearth(run));
                baseline.push(await runDirect(run));
            } else {
                baseline.push(await runDirect(run));
                hearth.push(await runHearth(run));
            }
            log(`  chat run ${run}: hearth ${hearth.at(-1)!.tokensPerSecond.toFixed(1)} tok/s (ttft ${hearth.at(-1)!.ttftMs.toFixed(0)} ms), `
                + `direct ${baseline.at(-1)!.tokensPerSecond.toFixed(1)} tok/s (ttft ${baseline.at(-1)!.ttftMs.toFixed(0)} ms)`);
        }
    } finally {
        engine.dispose();
        directChat.dispose({ disposeSequence: false });
        await direct.dispose();
    }
    const mismatched = hearth.filter((h, i) => h.tokens !== baseline[i]!.tokens || h.tokens !== maxTokens);
    if (mismatched.length) {
        throw new Error(`token counts differ between Hearth and direct (or stopped before maxTokens ${maxTokens}): `
            + `${hearth.map((h) => h.tokens).join(",")} vs ${baseline.map((b) => b.tokens).join(",")}`);
    }
    const tpsHearth = median(hearth.map((s) => s.tokensPerSecond));
    const tpsDirect = median(baseline.map((s) => s.tokensPerSecond));
    const ttftHearth = median(hearth.map((s) => s.ttftMs));
    const ttftDirect = median(baseline.map((s) => s.ttftMs));
    const suffix = label ? `_${label}` : "";
    return {
        [`chat_stream_ratio${suffix}`]: round(tpsHearth / tpsDirect, 4),
        [`chat_tps_hearth${suffix}`]: round(tpsHearth, 2),
        [`chat_tps_direct${suffix}`]: round(tpsDirect, 2),
        [`ttft_ms${suffix}`]: round(ttftHearth, 2),
        [`ttft_ms_direct${suffix}`]: round(ttftDirect, 2),
        [`ttft_ratio${suffix}`]: round(ttftHearth / ttftDirect, 4),
        [`chat_tokens${suffix}`]: maxTokens,
        [`chat_runs${suffix}`]: runs,
    };
}
