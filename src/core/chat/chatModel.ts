/**
 * Small pure helpers over the chat's data model (its shapes live in src/protocol/conversation.ts): ids, titles,
 * summaries for the list, and validation of what is read from disk.
 */

import type { ChatMessageRecord, Conversation, ConversationSummary, RunningSummary } from "../../protocol/conversation";

export function summarize(c: Conversation): ConversationSummary {
    return { id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: c.messages.length };
}

export function newId(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * The title of a chat once `prompt` becomes its first message (a new chat, or its first prompt edited and resent):
 * taken from the prompt, unless the user named the chat.
 */
export function titleForFirstPrompt(c: Pick<Conversation, "title" | "titleByUser">, prompt: string): string {
    return c.titleByUser ? c.title : titleFromPrompt(prompt) || c.title;
}

/** A title from the first prompt: first line, whitespace collapsed, at most 48 characters. */
export function titleFromPrompt(text: string): string {
    const line = text.trim().split(/\r?\n/)[0]?.replace(/\s+/g, " ") ?? "";
    return line.length > 48 ? `${line.slice(0, 47)}…` : line;
}

/**
 * Messages left "streaming" by a previous session never finished: the window reloaded or the host was killed
 * mid-answer. Their partial text is kept and they are marked interrupted.
 */
export function markUnfinished(c: Conversation): boolean {
    let changed = false;
    for (const m of c.messages) {
        if (m.status === "streaming") {
            m.status = "interrupted";
            changed = true;
        }
    }
    return changed;
}

/** Validates data read from disk: a corrupt or foreign file must be detected, not half-used. */
export function isConversation(value: unknown): value is Conversation {
    if (typeof value !== "object" || value === null) return false;
    const c = value as Partial<Conversation>;
    return typeof c.id === "string" && typeof c.title === "string" && typeof c.createdAt === "number"
        && typeof c.updatedAt === "number" && Array.isArray(c.messages) && (c.summary === undefined || isRunningSummary(c.summary))
        && c.messages.every((m: unknown) => {
            const r = m as Partial<ChatMessageRecord> | null;
            return typeof r === "object" && r !== null && typeof r.id === "string" && typeof r.text === "string"
                && (r.role === "user" || r.role === "assistant") && typeof r.status === "string";
        });
}

/** Files written before summaries existed have none; a summary that is there must be whole. */
function isRunningSummary(value: unknown): value is RunningSummary {
    const s = value as Partial<RunningSummary> | null;
    return typeof s === "object" && s !== null && typeof s.text === "string" && typeof s.coveredMessages === "number"
        && typeof s.tokens === "number" && (s.language === "zh" || s.language === "en") && typeof s.updatedAt === "number";
}
