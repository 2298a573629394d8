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
    | "error";

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
