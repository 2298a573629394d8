/**
 * Token budgeting for one chat request. The rule: system prompt + attachments + history + room for the answer
 * never exceeds the model's context. When it would, attachments are cut (visibly: `truncatedFrom` is set) and the
 * oldest turns are dropped (the caller shows a note saying how many). Counting is done by the model's real
 * tokenizer through an injected `TokenCounter` (batched: one call per request), so this file stays pure.
 */
import type { ChatMessage } from "../../protocol/generation";
import type { Attachment, ChatMessageRecord } from "../../protocol/conversation";
import { composeSystemMessage } from "./summaryPrompts";

/** Counts the tokens of each text, in order. In the extension this is the engine's `tokenize` op. */
export type TokenCounter = (texts: string[]) => Promise<number[]>;

/**
 * Tokens a chat template adds around one message (role markers, separators, end-of-turn). ChatML uses ~5,
 * Llama 3 ~5, the fixture's "User:/Assistant:" ~4: 8 is a safe upper bound.
 */
export const MESSAGE_OVERHEAD_TOKENS = 8;

/** Room kept free besides the answer (BOS, the generation prompt, tokenizer merges across message borders). */
export function safetyMargin(contextSize: number): number {
    return Math.max(16, Math.ceil(contextSize * 0.02));
}

/** Tokens reserved for the answer: the user's max-tokens setting, but never more than half the context. */
export function answerReserve(contextSize: number, maxTokens: number): number {
    return Math.max(16, Math.min(Math.floor(maxTokens), Math.floor(contextSize / 2)));
}

/** Tokens available for the prompt (system + attachments + history + the new prompt, each with its overhead). */
export function promptBudget(contextSize: number, maxTokens: number): number {
    return contextSize - answerReserve(contextSize, maxTokens) - safetyMargin(contextSize);
}

/**
 * Which history messages fit: walks back from the newest, keeping whole messages while they fit in `budget`.
 * The kept slice never starts with an assistant message (an answer without its question confuses small models).
 * Returns the index of the first kept message and the tokens used by the kept ones (overhead included).
 */
export function fitHistory(messageTokens: readonly number[], budget: number, overhead = MESSAGE_OVERHEAD_TOKENS): { start: number; used: number } {
    let used = 0;
    let start = messageTokens.length;
    for (let i = messageTokens.length - 1; i >= 0; i--) {
        const cost = messageTokens[i]! + overhead;
        if (used + cost > budget) break;
        used += cost;
        start = i;
    }
    return { start, used };
}

/**
 * When history must be trimmed, keep only this fraction of the history budget. Dropping generously once means the
 * next rounds append to an unchanged prompt beginning, so the engine reuses its KV cache; dropping one message per
 * round instead shifted the beginning every round and re-evaluated the whole context (~11 s a round for a 0.5B
 * model on one CPU thread, measured by the bench).
 */
export const TRIM_TARGET = 0.6;

/**
 * Chooses the first history message to send. Messages before `keepFrom` were already left out by the previous
 * request; starting there again keeps the prompt's beginning (and the KV cache) stable while it still fits.
 */
export function chooseHistoryStart(
    messageTokens: readonly number[],
    budget: number,
    overhead: number,
    keepFrom: number,
): { start: number; used: number } {
    const floor = Math.min(Math.max(0, Math.floor(keepFrom)), messageTokens.length);
    let usedFromFloor = 0;
    for (let i = floor; i < messageTokens.length; i++) usedFromFloor += messageTokens[i]! + overhead;
    if (usedFromFloor <= budget) return { start: floor, used: usedFromFloor };
    return fitHistory(messageTokens, Math.floor(budget * TRIM_TARGET), overhead);
}

/**
 * Shares `budget` tokens among attachments: small ones are kept whole, the rest split what is left evenly
 * (water-filling), so one huge file cannot starve a small selection. Returns the allowance per attachment.
 */
export function allocateAttachmentBudget(tokens: readonly number[], budget: number): number[] {
    const allowance = tokens.map(() => 0);
    const order = tokens.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t);
    let left = Math.max(0, budget);
    for (let k = 0; k < order.length; k++) {
        const share = Math.floor(left / (order.length - k));
        const { t, i } = order[k]!;
        allowance[i] = Math.min(t, share);
        left -= allowance[i]!;
    }
    return allowance;
}

/** Cuts `text` (which counts `tokens`) to roughly `target` tokens, preferring to end at a line break. */
export function cutText(text: string, tokens: number, target: number): string {
    if (target <= 0) return "";
    if (tokens <= target) return text;
    const approx = Math.floor(text.length * (target / tokens));
    const lineEnd = text.lastIndexOf("\n", approx);
    return text.slice(0, lineEnd > approx * 0.8 ? lineEnd : approx);
}

/** How an attachment is shown to the model inside the user message. */
export function formatAttachment(a: Attachment): string {
    // Retrieved excerpts carry their own numbered headers and fences (src/core/chat/grounding.ts).
    if (a.kind === "sources") return `Sources:\n\n${a.text}`;
    if (a.kind === "document") return `Relevant parts of \`${a.path}\` (the whole file does not fit; these are numbered sources):\n\n${a.text}`;
    const what = a.kind === "selection" ? `Selected text from \`${a.path}\`` : `File \`${a.path}\``;
    const cut = a.truncatedFrom !== undefined ? " (cut to fit; the rest was left out)" : "";
    const fence = a.text.includes("```") ? "````" : "```";
    return `${what}${cut}:\n${fence}${a.languageId}\n${a.text}\n${fence}`;
}

export function formatUserMessage(text: string, attachments: readonly Attachment[] | undefined): string {
    if (!attachments?.length) return text;
    return `${attachments.map(formatAttachment).join("\n\n")}\n\n${text}`;
}

export interface PlanInput {
    systemPrompt: string;
    /**
     * Earlier messages of the conversation, oldest first (not including the new prompt). Messages marked `summarised`
     * are covered by `summary` and not sent; `pinned` ones are always sent (in the system message once older than
     * the history kept).
     */
    history: readonly ChatMessageRecord[];
    prompt: string;
    attachments: readonly Attachment[];
    contextSize: number;
    maxTokens: number;
    /** Template tokens per message; `calibrateOverhead` learns it from the model's real prompt counts. */
    overheadPerMessage?: number;
    /** History messages the previous request of this chat left out (its `historyStart`); see chooseHistoryStart. */
    keepFrom?: number;
    /** The running summary of the messages marked `summarised` (sent at the end of the system message). */
    summary?: string;
}

export interface RequestPlan {
    messages: ChatMessage[];
    /** maxTokens to send to the engine. */
    answerTokens: number;
    /** Counted prompt tokens, per-message overhead included: always ≤ contextSize - answerTokens. */
    promptTokens: number;
    /** History messages not sent as messages (oldest first): the index the history sent starts at. */
    droppedMessages: number;
    /** Of those, how many the running summary covers. */
    summarisedMessages: number;
    /** Of those, how many are pinned and sent in the system message. */
    pinnedInSystem: number;
    /** Of those, how many are neither summarised nor pinned: left out, the model no longer knows them. */
    forgottenMessages: number;
    /** Pinned messages left out because pins, summary and system prompt together outgrew MAX_MEMORY_SHARE. */
    pinsLeftOut: number;
    /** The summary was cut because it outgrew MAX_MEMORY_SHARE (it was written for a bigger context). */
    summaryCut: boolean;
    /** The attachments as sent: cut ones carry `truncatedFrom` and real token counts. */
    attachments: Attachment[];
    /** The prompt itself was too long and was cut. */
    promptCut: boolean;
    /** The per-message overhead this plan assumed. */
    overheadPerMessage: number;
}

/**
 * The system message (system prompt, pins, summary) may take at most this share of the prompt budget. Pins are
 * limited when they are made (PIN_SHARE in memory.ts), but a later, smaller context can make them too big: then
 * the oldest pins are left out rather than the conversation itself.
 */
export const MAX_MEMORY_SHARE = 0.7;

/** History messages worth sending: failed answers carry no text, the model never sees them. */
export function sendable(m: ChatMessageRecord): boolean {
    return m.text.length > 0 && m.status !== "error";
}

/** A history message as it is sent: a user message carries its attachments. */
export function historyText(m: ChatMessageRecord): string {
    return m.role === "user" ? formatUserMessage(m.text, m.attachments) : m.text;
}

/** Index after the last message the summary covers: the history sent starts there at the earliest. */
export function summaryBoundary(history: readonly ChatMessageRecord[]): number {
    for (let i = history.length - 1; i >= 0; i--) if (history[i]!.summarised) return i + 1;
    return 0;
}

export async function planRequest(input: PlanInput, count: TokenCounter): Promise<RequestPlan> {
    const answerTokens = answerReserve(input.contextSize, input.maxTokens);
    const budget = promptBudget(input.contextSize, input.maxTokens);
    const overhead = Math.max(MESSAGE_OVERHEAD_TOKENS, input.overheadPerMessage ?? 0);
    const history = input.history.filter(sendable);
    const historyTexts = history.map(historyText);
    const boundary = summaryBoundary(history);
    let pinned = history.flatMap((m, i) => (m.pinned ? [i] : []));
    let summary = input.summary;
    const systemFor = (pins: readonly number[]) =>
        composeSystemMessage(input.systemPrompt, pins.map((i) => ({ role: history[i]!.role, text: historyTexts[i]! })), summary);
    // Every pin is reserved as if it were in the system message, plus a message's overhead: a pin still in the
    // history costs its text and overhead there instead, so the reserve covers it wherever it ends up.
    const reserveFor = (text: string, tokens: number, pins: number) => (text ? tokens + overhead + pins * overhead : 0);
    let systemText = systemFor(pinned);
    const counted = await count([systemText, input.prompt, ...input.attachments.map((a) => a.text), ...historyTexts]);
    let systemReserve = reserveFor(systemText, counted[0]!, pinned.length);
    // A summary written for a bigger context (another model, a smaller hearth.contextSize) is cut first…
    let summaryCut = false;
    if (summary?.trim() && systemReserve > budget * MAX_MEMORY_SHARE) {
        const tokens = (await count([summary]))[0]!;
        const keep = Math.max(0, tokens - (systemReserve - Math.floor(budget * MAX_MEMORY_SHARE)));
        summary = (await cutToFit(summary, tokens, keep, count)).trim();
        summaryCut = true;
        systemText = systemFor(pinned);
        systemReserve = reserveFor(systemText, (await count([systemText]))[0]!, pinned.length);
    }
    // …then the oldest pins are left out, never the conversation itself.
    let pinsLeftOut = 0;
    while (pinned.length && systemReserve > budget * MAX_MEMORY_SHARE) {
        pinned = pinned.slice(1);
        pinsLeftOut++;
        systemText = systemFor(pinned);
        systemReserve = reserveFor(systemText, (await count([systemText]))[0]!, pinned.length);
    }
    let promptText = input.prompt;
    let promptTokens = counted[1]!;
    const attachmentTokens = counted.slice(2, 2 + input.attachments.length);
    const historyTokens = counted.slice(2 + input.attachments.length);

    // The new prompt alone must fit with the system prompt; a pasted novel is cut rather than crashing the model.
    let promptCut = false;
    const promptRoom = budget - systemReserve - overhead;
    if (promptTokens > promptRoom) {
        promptText = await cutToFit(promptText, promptTokens, promptRoom, count);
        promptTokens = (await count([promptText]))[0]!;
        promptCut = true;
    }

    // Attachments get up to 3/4 of what is left after system and prompt; history gets the rest.
    const attachmentRoom = Math.floor(Math.max(0, promptRoom - promptTokens) * 0.75);
    const wrapperTokens = input.attachments.length * 16;
    const allowance = allocateAttachmentBudget(attachmentTokens, Math.max(0, attachmentRoom - wrapperTokens));
    const attachments: Attachment[] = [];
    for (let i = 0; i < input.attachments.length; i++) {
        const a = input.attachments[i]!;
        const real = attachmentTokens[i]!;
        const allowed = allowance[i]!;
        if (real <= allowed) {
            attachments.push({ ...a, tokens: real, estimated: false });
            continue;
        }
        const text = await cutToFit(a.text, real, allowed, count);
        const tokens = text ? (await count([text]))[0]! : 0;
        attachments.push({ ...a, text, tokens, estimated: false, truncatedFrom: a.truncatedFrom ?? real });
    }

    const userText = formatUserMessage(promptText, attachments);
    const userTokens = (await count([userText]))[0]! + overhead;
    // Pins cost nothing here: they are in the reserve. Summarised messages are before the floor.
    const pinnedSet = new Set(pinned);
    const costs = historyTokens.map((t, i) => (pinnedSet.has(i) ? 0 : t + overhead));
    const floor = Math.max(input.keepFrom ?? 0, boundary);
    const firstQuestion = (from: number) => {
        let i = from;
        while (i < history.length && history[i]!.role === "assistant") i++;
        return i;
    };
    let start = firstQuestion(chooseHistoryStart(costs, budget - systemReserve - userTokens, 0, floor).start);
    const layout = async (from: number) => {
        const text = systemFor(pinned.filter((i) => i < from));
        let used = text ? (await count([text]))[0]! + overhead : 0;
        for (let i = from; i < history.length; i++) used += historyTokens[i]! + overhead;
        return { text, used };
    };
    let sent = await layout(start);
    // The reserve is an upper bound up to tokenizer merges across borders: check the real layout, never assume it.
    while (sent.used + userTokens > budget && start < history.length) {
        start = firstQuestion(start + 1);
        sent = await layout(start);
    }
    const messages: ChatMessage[] = [];
    if (sent.text) messages.push({ role: "system", text: sent.text });
    for (let i = start; i < history.length; i++) messages.push({ role: history[i]!.role, text: historyTexts[i]! });
    messages.push({ role: "user", text: userText });
    const left = history.slice(0, start);
    const summarisedMessages = left.filter((m) => m.summarised && !m.pinned).length;
    const pinnedInSystem = pinned.filter((i) => i < start).length;
    return {
        messages,
        answerTokens,
        promptTokens: sent.used + userTokens,
        droppedMessages: start,
        summarisedMessages,
        pinnedInSystem,
        forgottenMessages: start - summarisedMessages - pinnedInSystem,
        pinsLeftOut,
        summaryCut,
        attachments,
        promptCut,
        overheadPerMessage: overhead,
    };
}

/**
 * Learns the chat template's real cost per message from a finished request: the engine reports how many tokens
 * the templated prompt really had. Small-vocabulary models spell "Assistant:" in many tokens; big ones in one.
 * Only ever grows (the budget must stay an upper bound), capped so one odd reading cannot starve the history.
 */
export function calibrateOverhead(plan: RequestPlan, realPromptTokens: number, current = MESSAGE_OVERHEAD_TOKENS): number {
    // The generation prompt ("Assistant:") and BOS are spread over the messages: conservative for long chats.
    const messages = plan.messages.length;
    const rawTokens = plan.promptTokens - plan.messages.length * plan.overheadPerMessage;
    const needed = Math.ceil((realPromptTokens - rawTokens) / messages);
    return Math.min(64, Math.max(current, needed));
}

/** Cuts text until the real tokenizer agrees it fits (the char/token ratio varies, so re-count and shrink). */
export async function cutToFit(text: string, tokens: number, target: number, count: TokenCounter): Promise<string> {
    let current = cutText(text, tokens, target);
    for (let attempt = 0; attempt < 4 && current; attempt++) {
        const n = (await count([current]))[0]!;
        if (n <= target) return current;
        current = cutText(current, n, Math.floor(target * 0.95));
    }
    return current && (await count([current]))[0]! <= target ? current : "";
}

/**
 * Caches counts by text: a 50-round chat re-sends the same history every turn, and only the new messages need
 * the tokenizer. Bounded so a long session does not grow without limit.
 */
export function cachedCounter(count: TokenCounter, maxEntries = 2000): TokenCounter {
    const cache = new Map<string, number>();
    return async (texts) => {
        const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
        if (missing.length) {
            const counts = await count(missing);
            missing.forEach((t, i) => cache.set(t, counts[i]!));
            while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
        }
        return texts.map((t) => cache.get(t)!);
    };
}

/** Characters per token of Latin text and code: Llama 2's tokenizer counts 3.3-3.6 on this repository's sources. */
export const CHARS_PER_TOKEN_ESTIMATE = 3.5;

/**
 * Rough token estimate before a model is loaded (chips show "≈"): ~3.5 characters per token for Latin text and
 * code, about one token per CJK character; within 25% of the fixture's Llama 2 tokenizer on real files
 * (test/engine/tokenEstimate.test.ts; chars/4 was 30-50% low). Real counts replace it as soon as the tokenizer is
 * available.
 */
export function estimateTokens(text: string): number {
    const cjk = text.match(/[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/g)?.length ?? 0;
    return Math.ceil((text.length - cjk) / CHARS_PER_TOKEN_ESTIMATE) + cjk;
}
