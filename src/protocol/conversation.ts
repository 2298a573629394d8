/**
 * A chat as it is persisted and shown: conversations made of messages, messages carrying the attachments that were
 * sent with them and the figures of the answer. Plain JSON-serialisable shapes: the store and the request builder
 * (src/core/chat), the host and the webview (webviewProtocol.ts) and the tests all share them. Behaviour (ids,
 * titles, validation of what is read from disk) lives in src/core/chat/chatModel.ts.
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
    | "error"
    /** The answer reached the token limit (hearth.chat.maxTokens) and may end mid-sentence: Continue goes on with it. */
    | "cut";

/**
 * selection / file / openEditor: attached from the editor; sources: excerpts retrieved from the knowledge index for
 * this question; document: the parts of one large attached file that answer it (the whole did not fit).
 */
export type AttachmentKind = "selection" | "file" | "openEditor" | "sources" | "document";

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
    /** `file:` URI string of the attached file (file, openEditor and document kinds). */
    uri?: string;
}

/** A place an answer's citation [n] opens: recorded from the index, never taken from the model's text. */
export interface SourceRef {
    n: number;
    /** "src/a.ts:10–24", "report.pdf p. 12". */
    label: string;
    /** `file:` URI string. */
    uri: string;
    startLine: number;
    endLine: number;
    page?: number;
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
    /** On a user message: asked of the knowledge index (@workspace, @library) rather than of the chat alone. */
    scope?: "workspace" | "library";
    /** On an assistant message: the retrieved excerpts its answer was given, numbered as the answer cites them. */
    sources?: SourceRef[];
    status: MessageStatus;
    createdAt: number;
    attachments?: Attachment[];
    stats?: AnswerStats;
    error?: string;
    /**
     * Set on the assistant message when older messages were left out of its request to fit the context and are
     * neither covered by the running summary nor pinned: what the model no longer knows.
     */
    droppedMessages?: number;
    /**
     * On the assistant message: how many history messages its request did not send verbatim (the index its history
     * started at). The next request starts there or later, so the prompt's beginning stays stable (KV cache).
     * Older files have only `droppedMessages`, which meant this.
     */
    historyStart?: number;
    /** The user pinned this message: it is always sent, never trimmed or summarised away. */
    pinned?: boolean;
    /** The running summary covers this message; it is no longer sent itself. */
    summarised?: boolean;
    /** Set on the assistant message when the prompt itself was too long and was cut. */
    promptCut?: boolean;
}

/**
 * What the model remembers of messages that no longer fit its context: written by the model itself after an answer
 * (src/chat/chatSummariser.ts), editable and deletable by the user. Deleting clears `text` and keeps the messages
 * marked `summarised`: the user asked the model to forget them.
 */
export interface RunningSummary {
    text: string;
    /** How many messages it covers (they carry `summarised: true`). */
    coveredMessages: number;
    /** Tokens of `text` for the model that last counted it (shown in the panel; the budget counts again). */
    tokens: number;
    /** The conversation's language, which the summary is written in. */
    language: "zh" | "en";
    updatedAt: number;
    /** The user edited the text by hand (the next update builds on the edited text). */
    edited?: boolean;
}

export interface Conversation {
    id: string;
    title: string;
    /** The user renamed the chat: its title no longer follows the first prompt (edit and resend keeps it). */
    titleByUser?: boolean;
    createdAt: number;
    updatedAt: number;
    messages: ChatMessageRecord[];
    /** Absent until the chat first outgrew the context (and in files written before summaries existed). */
    summary?: RunningSummary;
}

export interface ConversationSummary {
    id: string;
    title: string;
    updatedAt: number;
    messageCount: number;
}
