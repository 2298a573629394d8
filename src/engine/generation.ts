/**
 * Text generation inside the engine process: chat turns through node-llama-cpp's LlamaChat (which applies the
 * model's chat template, reuses the KV cache for the unchanged history prefix and, given tools, generates calls
 * under a grammar: see toolCalling.ts), and raw token generation for
 * plain completion and fill-in-the-middle, where we lay the tokens out ourselves so consecutive requests share
 * the longest possible prefix with what the sequence already holds.
 */
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp" with { "resolution-mode": "import" };
import { EngineError, type TextChunkEvent } from "../protocol/engineProtocol";
import {
    type ChatParams,
    type CompleteParams,
    type GenerationResult,
    type InfillParams,
    type SamplingOptions,
} from "../protocol/generation";
import { toChatHistory } from "./chatHistory";
import { contextOverflow, prefillChatPrompt } from "./chatPrefill";
import { loadNodeLlamaCpp, type LoadedModel } from "./modelHost";
import { functionsForTools, requireToolCall, toolCallFailure, toToolCalls } from "./toolCalling";

export interface GenerationControl {
    signal: AbortSignal;
    emit(event: TextChunkEvent): void;
    /** Chat turns: resolves when no completion runs (the prompt is evaluated in chunks between them). */
    yieldToCompletions?: () => Promise<void>;
}

export async function runChat(loaded: LoadedModel, params: ChatParams, control: GenerationControl): Promise<GenerationResult> {
    const nlc = await loadNodeLlamaCpp();
    const sequence = loaded.sequences.chat;
    const tools = params.tools?.length ? params.tools : undefined;
    if (tools && !loaded.info.toolCalling) {
        throw new EngineError("badRequest",
            `${loaded.info.modelName} cannot call tools: its chat template has no function calling. Choose a model made for tool use (for example a Qwen2.5 or Llama 3.1 instruct model).`);
    }
    const functions = tools ? functionsForTools(tools) : undefined;
    const chatWrapper = tools && params.toolChoice === "required" ? requireToolCall(nlc, loaded.chatWrapper) : loaded.chatWrapper;
    const history = toChatHistory(params.messages, params.continueLast === true);

    const chat = new nlc.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false, chatWrapper });
    const started = performance.now();
    const inputBefore = sequence.tokenMeter.usedInputTokens;
    let firstTokenAt = 0;
    let tokens = 0;
    let text = "";
    const cancelled = () => finish(loaded, sequence, {
        text, tokens, started, firstTokenAt, stopReason: "cancelled",
        promptTokens: sequence.contextTokens.length - tokens,
        evaluatedPromptTokens: sequence.tokenMeter.usedInputTokens - inputBefore,
    });
    try {
        await prefillChatPrompt(sequence, chatWrapper, history, functions, control);
        if (control.signal.aborted) return cancelled();
        const res = await chat.generateResponse(history, {
            signal: control.signal,
            stopOnAbortSignal: true,
            maxTokens: params.maxTokens,
            ...samplingForLlamaChat(params.sampling),
            customStopTriggers: params.stop?.length ? params.stop : undefined,
            functions,
            onToken: (generated) => {
                if (tokens === 0) firstTokenAt = performance.now();
                tokens += generated.length;
            },
            onTextChunk: (chunk) => {
                text += chunk;
                control.emit({ type: "text", text: chunk, tokens });
            },
        });
        const toolCalls = toToolCalls(res.functionCalls);
        const stopReason = control.signal.aborted || res.metadata.stopReason === "abort" ? "cancelled"
            : toolCalls ? "toolCalls"
                : res.metadata.stopReason === "maxTokens" ? "maxTokens"
                    : res.metadata.stopReason === "customStopTrigger" ? "stop" : "eos";
        // onToken reports only tokens released as answer text: LlamaChat holds back trailing whitespace (trimmed at
        // the end) and a possible stop string's start, and keeps segment tokens (e.g. <think>) apart. When it stopped
        // at maxTokens it generated exactly that many (the full bench saw 47 counted of 48: "cut" with a count
        // under the allowance).
        const generated = stopReason === "maxTokens" ? Math.max(tokens, params.maxTokens) : tokens;
        return {
            ...finish(loaded, sequence, {
                text: res.response, tokens: generated, started, firstTokenAt, stopReason,
                promptTokens: sequence.contextTokens.length - generated,
                evaluatedPromptTokens: sequence.tokenMeter.usedInputTokens - inputBefore,
            }),
            ...(toolCalls && stopReason !== "cancelled" ? { toolCalls } : {}),
        };
    } catch (err) {
        if (control.signal.aborted) return cancelled();
        throw toolCallFailure(err) ?? contextOverflowFailure(err, sequence.contextSize) ?? err;
    } finally {
        chat.dispose({ disposeSequence: false });
    }
}

/** node-llama-cpp's own failure when nothing it can drop makes the history fit (caught before it, normally). */
function contextOverflowFailure(err: unknown, contextSize: number): EngineError | undefined {
    if (!(err instanceof Error) || !/Failed to compress chat history|context size is too small|No tokens to evaluate/i.test(err.message)) return undefined;
    return contextOverflow(contextSize, err.message);
}

export async function runComplete(loaded: LoadedModel, params: CompleteParams, control: GenerationControl): Promise<GenerationResult> {
    const tokens = loaded.model.tokenize(params.prompt, params.specialTokens ?? false);
    const bos = loaded.model.tokens.bos;
    const withBos = bos != null && loaded.model.tokens.shouldPrependBosToken && tokens[0] !== bos ? [bos, ...tokens] : tokens;
    return generateFromTokens(loaded, loaded.sequences[params.sequence], withBos, params, control);
}

/**
 * Fill-in-the-middle laid out as llama-server does: `[extra] PRE <prefix lines> SUF <suffix> MID <current line>`.
 * A keystroke only changes the tokens after MID, so the whole prefix, suffix and extra context stay cached.
 */
export async function runInfill(loaded: LoadedModel, params: InfillParams, control: GenerationControl): Promise<GenerationResult> {
    const { model } = loaded;
    const fim = loaded.fim;
    if (!fim) {
        throw new EngineError("badRequest", "This model has no fill-in-the-middle tokens; use plain completion instead.");
    }
    const head: Token[] = [];
    const bos = model.tokens.bos;
    if (bos != null && model.tokens.shouldPrependBosToken) head.push(bos);
    let extra = params.extraContext ? model.tokenize(params.extraContext, false) : [];
    let prefix = model.tokenize(params.prefix, false);
    let suffix = model.tokenize(params.suffix, false);
    const middle = model.tokenize(params.currentLinePrefix, false);
    // The host budgets in characters; if the tokens still do not fit, give up other files first, then the far
    // end of the suffix, then the start of the prefix, so the FIM markers and the cursor's line always survive.
    let excess = head.length + extra.length + prefix.length + suffix.length + middle.length + 3
        + Math.min(params.maxTokens, loaded.sequences.completion.contextSize - 1) - loaded.sequences.completion.contextSize;
    // Cuts are rounded up to TRIM_STEP tokens so that a keystroke (one more token after MID) rarely moves them:
    // a moved cut changes the tokens near the front and costs a full re-evaluation.
    if (excess > 0) excess = Math.ceil(excess / TRIM_STEP) * TRIM_STEP;
    if (excess > 0) { const drop = Math.min(excess, extra.length); extra = extra.slice(drop); excess -= drop; }
    if (excess > 0) { const keep = Math.max(0, suffix.length - Math.min(excess, Math.floor(suffix.length / 2))); excess -= suffix.length - keep; suffix = suffix.slice(0, keep); }
    if (excess > 0) { const drop = Math.min(excess, prefix.length); prefix = prefix.slice(drop); excess -= drop; }
    const tokens: Token[] = [...head, ...extra, fim.prefix as Token, ...prefix, fim.suffix as Token, ...suffix, fim.middle as Token, ...middle];
    return generateFromTokens(loaded, loaded.sequences.completion, tokens, params, control);
}

/** Prompt tokens evaluated between two cancellation checks. */
const PROMPT_CHUNK_TOKENS = 128;

/** Granularity of the infill prompt's last-resort trimming (tokens). */
const TRIM_STEP = 64;

interface TokenGenerationOptions {
    maxTokens: number;
    sampling?: SamplingOptions;
    stop?: string[];
    timeBudgetMs?: number;
    reuseCache?: boolean;
}

export async function generateFromTokens(
    loaded: LoadedModel,
    sequence: LlamaContextSequence,
    promptTokens: Token[],
    options: TokenGenerationOptions,
    control: GenerationControl,
): Promise<GenerationResult> {
    const { model } = loaded;
    const started = performance.now();
    const contextSize = sequence.contextSize;
    const maxTokens = Math.max(1, Math.min(options.maxTokens, contextSize - 1));
    // Keep the prompt's tail when it would not leave room for the answer; the host budgets, this is the last guard.
    let input = promptTokens.length + maxTokens > contextSize ? promptTokens.slice(-(contextSize - maxTokens)) : promptTokens.slice();
    if (input.length === 0) throw new EngineError("badRequest", "The prompt is empty.");

    const contextTail = input.slice(-8);
    if (options.reuseCache === false) await sequence.clearHistory();
    const last = input[input.length - 1]!;
    await sequence.adaptStateToTokens(input.slice(0, -1), false);
    const reused = sequence.nextTokenIndex;
    input = [...input.slice(reused, -1), last];
    const promptCount = reused + input.length;
    const toEvaluate = input.length;
    // A long prompt tail is evaluated in chunks with a cancellation check in between: a superseded completion stops
    // within one chunk instead of after the whole prompt, and what it evaluated stays cached for the next request.
    while (input.length > PROMPT_CHUNK_TOKENS + 1 && !control.signal.aborted) {
        await sequence.evaluateWithoutGeneratingNewTokens(input.slice(0, PROMPT_CHUNK_TOKENS));
        input = input.slice(PROMPT_CHUNK_TOKENS);
    }

    const generated: Token[] = [];
    let text = "";
    // generated[0..settled) detokenize to settledText, which ends on a complete character.
    let settled = 0;
    let settledText = "";
    let emittedLength = 0;
    let firstTokenAt = 0;
    let stopReason: GenerationResult["stopReason"] = "maxTokens";
    const stops = (options.stop ?? []).filter((s) => s.length > 0);
    const longestStop = Math.max(0, ...stops.map((s) => s.length));
    const deadline = options.timeBudgetMs ? started + options.timeBudgetMs : Infinity;

    if (control.signal.aborted) stopReason = "cancelled";
    else {
        const iterator = sequence.evaluate(input, samplingForEvaluate(options.sampling, generated));
        for await (const token of iterator) {
            if (control.signal.aborted) { stopReason = "cancelled"; break; }
            if (generated.length === 0) firstTokenAt = performance.now();
            if (model.isEogToken(token)) { stopReason = "eos"; break; }
            generated.push(token);
            // Only the tokens after the last complete character are detokenized (re-detokenizing the whole answer
            // every token grew quadratically: ~0.1-0.4 ms per token by token 1,000), with the tokens before them as
            // context, so SentencePiece keeps the space of a leading "▁word".
            const before = settled >= 8 ? generated.slice(settled - 8, settled) : [...contextTail, ...generated.slice(0, settled)].slice(-8);
            const pending = model.detokenize(generated.slice(settled), false, before);
            text = settledText + pending;
            if (!pending.endsWith("\uFFFD")) {
                settled = generated.length;
                settledText = text;
            }
            // A stop string can only have appeared in the text not yet emitted (plus a stop's length before it).
            const stopAt = firstStopIndex(text, stops, Math.max(0, emittedLength - longestStop));
            if (stopAt >= 0) { text = text.slice(0, stopAt); stopReason = "stop"; }
            // Hold back a trailing partial UTF-8 sequence and any text that could still become a stop string.
            const safeEnd = stopReason === "stop" ? text.length : safeEmitLength(text, stops);
            if (safeEnd > emittedLength) {
                control.emit({ type: "text", text: text.slice(emittedLength, safeEnd), tokens: generated.length });
                emittedLength = safeEnd;
            }
            if (stopReason === "stop") break;
            if (generated.length >= maxTokens) { stopReason = "maxTokens"; break; }
            if (performance.now() >= deadline) { stopReason = "timeBudget"; break; }
        }
    }
    if (text.endsWith("\uFFFD")) text = text.replace(/\uFFFD+$/, "");
    if (text.length > emittedLength && stopReason !== "cancelled") {
        control.emit({ type: "text", text: text.slice(emittedLength), tokens: generated.length });
    }
    if (stopReason === "cancelled") text = text.slice(0, Math.max(emittedLength, 0));
    return finish(loaded, sequence, {
        text, tokens: generated.length, started, firstTokenAt, stopReason,
        promptTokens: promptCount, evaluatedPromptTokens: stopReason === "cancelled" && generated.length === 0 ? toEvaluate - input.length : toEvaluate,
    });
}

function firstStopIndex(text: string, stops: string[], from = 0): number {
    let best = -1;
    for (const s of stops) {
        const i = text.indexOf(s, from);
        if (i >= 0 && (best < 0 || i < best)) best = i;
    }
    return best;
}

/** Length of `text` that can be shown now: not ending inside a multi-byte character or a possible stop string. */
export function safeEmitLength(text: string, stops: string[]): number {
    let end = text.length;
    while (end > 0 && text[end - 1] === "\uFFFD") end--;
    for (const s of stops) {
        for (let k = Math.min(s.length - 1, end); k > 0; k--) {
            if (text.slice(end - k, end) === s.slice(0, k)) { end = Math.min(end, text.length - k); break; }
        }
    }
    return Math.max(0, end);
}

function finish(
    loaded: LoadedModel,
    sequence: LlamaContextSequence,
    r: {
        text: string; tokens: number; started: number; firstTokenAt: number;
        stopReason: GenerationResult["stopReason"]; promptTokens: number; evaluatedPromptTokens: number;
    },
): GenerationResult {
    const end = performance.now();
    const genMs = r.firstTokenAt ? end - r.firstTokenAt : 0;
    return {
        text: r.text,
        tokens: r.tokens,
        promptTokens: Math.max(0, r.promptTokens),
        evaluatedPromptTokens: Math.max(0, r.evaluatedPromptTokens),
        stopReason: r.stopReason,
        timeToFirstTokenMs: r.firstTokenAt ? r.firstTokenAt - r.started : end - r.started,
        totalMs: end - r.started,
        tokensPerSecond: r.tokens > 1 && genMs > 0 ? ((r.tokens - 1) * 1000) / genMs : 0,
        contextUsed: sequence.contextTokens.length,
        contextSize: loaded.context.contextSize,
    };
}

/** The sampling settings both generation paths share; only the default temperature differs. */
function baseSampling(s: SamplingOptions | undefined, defaultTemperature: number) {
    return { temperature: s?.temperature ?? defaultTemperature, topK: s?.topK, topP: s?.topP, minP: s?.minP, seed: s?.seed };
}

function samplingForEvaluate(s: SamplingOptions | undefined, generated: readonly Token[]) {
    return {
        ...baseSampling(s, 0),
        repeatPenalty: s?.repeatPenalty && s.repeatPenalty > 1
            ? { penalty: s.repeatPenalty, punishTokens: () => generated.slice(-64) } : undefined,
    };
}

function samplingForLlamaChat(s: SamplingOptions | undefined) {
    return {
        ...baseSampling(s, 0.7),
        repeatPenalty: s?.repeatPenalty && s.repeatPenalty > 1 ? { penalty: s.repeatPenalty } : false as const,
    };
}

export type { LlamaModel };
