/**
 * The arithmetic of a chat's long-term memory: how much of the context the running summary and the pinned messages
 * may take, and — after an answer — which old messages to summarise so that the next requests fit without dropping
 * anything unsummarised.
 *
 * Summarising happens ahead of need and in chunks: once the history sent reaches COMPACT_TRIGGER of its room, the
 * oldest messages are folded into the summary until COMPACT_TARGET of the room is left. The prompt's beginning
 * (system message with the summary, first message of the history) then stays unchanged for the next several rounds,
 * so the engine re-evaluates only the new message and the answer, and the summariser's cost per round stays flat:
 * it always reads one chunk of messages plus the summary, never the whole chat.
 */
import type { ChatMessageRecord } from "../../protocol/conversation";
import {
    MESSAGE_OVERHEAD_TOKENS,
    fitHistory,
    historyText,
    promptBudget,
    sendable,
    summaryBoundary,
    type TokenCounter,
} from "./budget";
import { composeSystemMessage } from "./summaryPrompts";

/** The running summary may use this share of the prompt budget. */
export const SUMMARY_SHARE = 0.15;
/** Pinned messages together may use this share of the prompt budget. */
export const PIN_SHARE = 0.4;
/** Summarise once the history sent would use this share of its room in the next request. */
export const COMPACT_TRIGGER = 0.8;
/** …and keep this share of the room for the newest messages, verbatim. */
export const COMPACT_TARGET = 0.4;
/** Room assumed for the next prompt when deciding (the last prompt's size when that was bigger). */
export const NEXT_PROMPT_TOKENS = 64;

export function summaryBudget(contextSize: number, maxTokens: number): number {
    return Math.max(32, Math.floor(promptBudget(contextSize, maxTokens) * SUMMARY_SHARE));
}

export function pinBudget(contextSize: number, maxTokens: number): number {
    return Math.floor(promptBudget(contextSize, maxTokens) * PIN_SHARE);
}

export interface CompactionInput {
    systemPrompt: string;
    /** The whole conversation, oldest first, its last answer finished. */
    messages: readonly ChatMessageRecord[];
    contextSize: number;
    maxTokens: number;
    overheadPerMessage?: number;
    /** Where the last request's history started (its answer's `historyStart`). */
    keepFrom?: number;
}

export interface CompactionPlan {
    /** Messages to fold into the summary, oldest first (never pinned, never already summarised). */
    messages: ChatMessageRecord[];
    /** Why: the history outgrew its room, or earlier requests had to leave messages out unsummarised. */
    reason: "full" | "backlog";
    /** Tokens the history sent would use in the next request, and its room (for logs and tests). */
    historyTokens: number;
    room: number;
}

/**
 * Which messages to summarise now, if any. The room is what the next request leaves the history once the system
 * prompt, every pin, a full-size summary and the next prompt are counted, so a summary that grows to its budget
 * still fits. The newest question and its answer are never summarised (the next prompt often refers to them).
 */
export async function planCompaction(input: CompactionInput, count: TokenCounter): Promise<CompactionPlan | undefined> {
    const overhead = Math.max(MESSAGE_OVERHEAD_TOKENS, input.overheadPerMessage ?? 0);
    const history = input.messages.filter(sendable);
    if (history.length === 0) return undefined;
    const texts = history.map(historyText);
    const pins = history.flatMap((m, i) => (m.pinned ? [{ role: m.role, text: texts[i]! }] : []));
    let lastUser = history.length - 1;
    while (lastUser >= 0 && history[lastUser]!.role !== "user") lastUser--;
    // A one-character summary stands in for the real one: its heading is counted here, its text is the budget below.
    const [systemTokens, ...tokens] = await count([composeSystemMessage(input.systemPrompt, pins, "…"), ...texts]);
    const nextPrompt = Math.max(NEXT_PROMPT_TOKENS, lastUser >= 0 ? tokens[lastUser]! : 0) + overhead;
    const reserve = systemTokens! + overhead * (1 + pins.length) + summaryBudget(input.contextSize, input.maxTokens) + overhead;
    const room = promptBudget(input.contextSize, input.maxTokens) - reserve - nextPrompt;
    if (room <= 0) return undefined;

    const boundary = summaryBoundary(history);
    const floor = Math.max(boundary, Math.min(input.keepFrom ?? 0, history.length));
    const costs = history.map((m, i) => (m.pinned ? 0 : tokens[i]! + overhead));
    const sum = (from: number) => costs.slice(from).reduce((a, b) => a + b, 0);
    const foldable = (from: number, to: number) => history.slice(from, to).filter((m) => !m.pinned && !m.summarised);
    const historyTokens = sum(floor);
    if (historyTokens > room * COMPACT_TRIGGER) {
        let start = fitHistory(costs, Math.floor(room * COMPACT_TARGET), 0).start;
        // Keep the newest exchange whatever its size, and start the history with a question.
        start = Math.max(floor, Math.min(start, lastUser >= 0 ? lastUser : history.length));
        while (start < lastUser && history[start]!.role === "assistant") start++;
        const messages = foldable(boundary, start);
        if (messages.length) return { messages, reason: "full", historyTokens, room };
    }
    const backlog = foldable(boundary, floor);
    return backlog.length ? { messages: backlog, reason: "backlog", historyTokens, room } : undefined;
}

/** Where the last request of this chat started its history (older files: `droppedMessages` meant that). */
export function lastHistoryStart(messages: readonly ChatMessageRecord[]): number {
    for (let i = messages.length - 1; i >= 0; i--) {
        const m = messages[i]!;
        if (m.role === "assistant" && m.status !== "error") return m.historyStart ?? m.droppedMessages ?? 0;
    }
    return 0;
}
