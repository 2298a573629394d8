/**
 * 1. chat_stream_ratio and 2. ttft_ms / ttft_ratio: a streamed chat answer through the product's own chat turn
 * (runChatTurn: planner, system prompt, saves, EmbeddedBackend → engine process; see test/helpers/productChat.ts),
 * timed where the chat panel sees it (each onDelta's arrival), against node-llama-cpp's LlamaChat used directly in
 * this process with the very messages the turn sent, same model, context, threads and greedy sampling. Runs
 * alternate between the two sides so background load hits both alike.
 *
 * tok/s on both sides = (tokens at the last text chunk − tokens at the first) ÷ time between those chunks, so
 * time to first token is not counted twice (Hearth's tokens at the first chunk: that chunk's text tokenized). Each
 * run is a new chat whose system prompt names the run, so neither side reuses the previous run's KV cache and TTFT
 * includes the prompt evaluation (and, on Hearth's side, planning and saving the chat, as the user waits for them).
 */
import type { ChatHistoryItem } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { LlmBackend } from "../src/backend/llmBackend";
import { buildSystemPrompt } from "../src/core/chat/systemPrompt";
import { EmbeddedBackend } from "../src/engineClient/embeddedBackend";
import type { ChatMessage } from "../src/protocol/generation";
import { ProductChat } from "../test/helpers/productChat";
import { loadDirect, loadNodeLlamaCpp, loadParams, log, median, newEngine, round, type BenchOptions } from "./lib";

export interface StreamSample {
    ttftMs: number;
    tokensPerSecond: number;
    tokens: number;
}

const PROMPT = "Explain what a KV cache is in a transformer and why reusing it makes code completion fast. Give a short example with numbers.";

/** The user's instructions for run `run`: a different system prompt per run, so no run reuses another's cache. */
export function chatInstructions(run: number): string {
    return `Session ${run}.`;
}

/** The messages the product's turn sends for run `run` (checked against what it really sent). */
export function chatMessages(run: number): ChatMessage[] {
    return [{ role: "system", text: buildSystemPrompt(chatInstructions(run), PROMPT) }, { role: "user", text: PROMPT }];
}

/** Rate between the first and last chunk from (time, tokens-so-far) arrival pairs. */
export function streamRate(first: { at: number; tokens: number }, last: { at: number; tokens: number }): number {
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? (last.tokens - first.tokens) / seconds : NaN;
}

/** One chat answer through the product's chat turn on `backend`, timed at the client. */
export async function hearthChatRun(backend: LlmBackend, run: number, maxTokens: number): Promise<StreamSample> {
    const chat = new ProductChat(backend);
    try {
        let first: { at: number; text: string } | undefined;
        let lastAt = 0;
        const started = performance.now();
        const outcome = await chat.turn(PROMPT, {
            maxTokens, temperature: 0, instructions: chatInstructions(run),
            onDelta: (text) => {
                const at = performance.now();
                first ??= { at, text };
                lastAt = at;
            },
        });
        if (!first) throw new Error(`the chat turn streamed no text (${outcome.answer.status} ${outcome.answer.error ?? ""})`);
        if (JSON.stringify(outcome.params.messages) !== JSON.stringify(chatMessages(run))) {
            throw new Error("the chat turn sent other messages than the baseline gets; update bench/chatStream.ts chatMessages()");
        }
        const firstTokens = (await backend.countTokens([first.text])).counts[0] ?? 1;
        return {
            ttftMs: first.at - started,
            tokensPerSecond: streamRate({ at: first.at, tokens: firstTokens }, { at: lastAt, tokens: outcome.result.tokens }),
            tokens: outcome.result.tokens,
        };
    } finally {
        chat.dispose();
    }
}

export async function measureChatStream(modelPath: string, options: BenchOptions, label = "", tokens?: number) {
    const runs = options.quick ? 5 : 7;
    const maxTokens = tokens ?? (options.quick ? 64 : 128);
    const engine = newEngine();
    const backend = new EmbeddedBackend(engine, { loadParams: () => loadParams(modelPath, options) });
    const direct = await loadDirect(modelPath, options);
    const { LlamaChat } = await loadNodeLlamaCpp();
    // Created once, as an in-process app keeps its LlamaChat (or LlamaChatSession) for the whole conversation.
    const directChat = new LlamaChat({ contextSequence: direct.sequence, autoDisposeSequence: false });
    const hearth: StreamSample[] = [];
    const baseline: StreamSample[] = [];

    const runDirect = async (run: number): Promise<StreamSample> => {
        // The history the engine builds from the same ChatMessage[] (src/engine/generation.ts runChat).
        const history: ChatHistoryItem[] = chatMessages(run).map((m) =>
            m.role === "system" ? { type: "system", text: m.text } : { type: "user", text: m.text });
        history.push({ type: "model", response: [] });
        let count = 0;
        let first: { at: number; tokens: number } | undefined;
        let last = { at: 0, tokens: 0 };
        const started = performance.now();
        await directChat.generateResponse(history, {
            maxTokens,
            temperature: 0,
            repeatPenalty: false,
            onToken: (generated) => { count += generated.length; },
            onTextChunk: () => {
                const at = performance.now();
                first ??= { at, tokens: count };
                last = { at, tokens: count };
            },
        });
        if (!first) throw new Error("node-llama-cpp streamed no text");
        return { ttftMs: first.at - started, tokensPerSecond: streamRate(first, last), tokens: count };
    };

    try {
        await backend.ready();
        // One untimed warm-up per side: first-use allocations and page faults are not what we compare.
        await hearthChatRun(backend, -1, maxTokens);
        await runDirect(-2);
        for (let run = 0; run < runs; run++) {
            // Alternate which side goes first so slow drifts in background load cancel out.
            if (run % 2 === 0) {
                hearth.push(await hearthChatRun(backend, run, maxTokens));
                baseline.push(await runDirect(run));
            } else {
                baseline.push(await runDirect(run));
                hearth.push(await hearthChatRun(backend, run, maxTokens));
            }
            log(`  chat run ${run}: hearth ${hearth.at(-1)!.tokensPerSecond.toFixed(1)} tok/s (ttft ${hearth.at(-1)!.ttftMs.toFixed(0)} ms), `
                + `direct ${baseline.at(-1)!.tokensPerSecond.toFixed(1)} tok/s (ttft ${baseline.at(-1)!.ttftMs.toFixed(0)} ms)`);
        }
    } finally {
        backend.dispose();
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
