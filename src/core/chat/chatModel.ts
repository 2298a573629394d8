/**
 * The chat's data model as it is persisted and shown: conversations made of messages, messages carrying the
 * attachments that were sent with them and the figures of the answer. Plain data (JSON-serialisable), no behaviour
 * beyond small pure helpers, so the store, the request builder, the webview and the tests all share it.
 */

export type MessageStatus =
    /** Finished normally. */
    | "complete"
    /** The answer is being generated right now (only ever seen live; on load it means the host died). */
    | "streaming"
    /** The user pressed Stop: the partial answer is kept. */
    | "stopped"
    /** The engine or the window went away mid-answer: the partial answer is kept. */
    | "interrupted"
    /** The request failed before producing text; `error` says why. */
    | "error";

export type AttachmentKind = "selection" | "file" | "openEditor";

export interface Attachment {
    id: string;
    kind: AttachmentKind;
    /** Short label for the chip: "main.ts", "main.ts:10-24". */
    label: string;
    /** Workspace-relative path (or the file name for untitled documents), for the prompt header. */
    path: string;
    languageId: string;
    text: string;
    /** Token cost of `text` (real count from the model's tokenizer when `estimated` is false). */
    tokens: number;
    estimated: boolean;
    /** Set when the text was cut to fit the budget: the original token count. */
    truncatedFrom?: number;
    /** Added automatically because the prompt spoke about "this file". */
    auto?: boolean;
}

export interface AnswerStats {
    tokens: number;
    tokensPerSecond: number;
    contextUsed: number;
    contextSize: number;
    promptTokens: number;
}

export interface ChatMessageRecord {
    id: string;
    role: "user" | "assistant";
    text: string;
    /** For a user turn started by another feature (Explain Error): what the chat shows instead of the full prompt. */
    displayText?: string;
    status: MessageStatus;
    createdAt: number;
    attachments?: Attachment[];
    stats?: AnswerStats;
    error?: string;
    /** Set on the assistant message when older turns were left out of its request to fit the context. */
    droppedMessages?: number;
    /** Set on the assistant message when the prompt itself was too long and was cut. */
    promptCut?: boolean;
}

export interface Conversation {
    id: string;
    title: string;
    createdAt: number;
    updatedAt: number;
    messages: ChatMessageRecord[];
}

export interface ConversationSummary {
    id: string;
    title: string;
    updatedAt: number;
    messageCount: number;
}

export function summarize(c: Conversation): ConversationSummary {
    return { id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: c.messages.length };
}

export function newId(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
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
        && typeof c.updatedAt === "number" && Array.isArray(c.messages)
        && c.messages.every((m: unknown) => {
            const r = m as Partial<ChatMessageRecord> | null;
            return typeof r === "object" && r !== null && typeof r.id === "string" && typeof r.text === "string"
                && (r.role === "user" || r.role === "assistant") && typeof r.status === "string";
        });
}
