/**
 * What every capability gets at registration: the shared services, made explicitly in extension.ts. Capabilities
 * (chat, polish, explain, completion, models, …) depend on these, never on each other.
 */
import type * as vscode from "vscode";
import type { BackendService } from "./backend/backendService";
import type { Embedder } from "./backend/embedder";
import type { ModelGate } from "./backend/modelGate";
import type { EngineService } from "./engineClient/engineService";
import type { Attachment, Conversation } from "./protocol/conversation";
import type {
    KnowledgeChunk, KnowledgeHit, KnowledgeIndexKind, KnowledgeIndexStatus, KnowledgeSearchOptions,
} from "./protocol/knowledge";
import type { ChatMessage } from "./protocol/generation";
import type { AttachRequest } from "./protocol/webviewProtocol";
import type { ReviewService } from "./review/reviewService";

/** A new chat turn started by another capability (Explain Error streams its answer into the chat panel). */
export interface ChatTurnRequest {
    /** The full prompt sent to the model. */
    prompt: string;
    /** What the chat shows as the user's message (shorter than the prompt). */
    displayText: string;
    /** Code sent with the turn, shown as chips on the message (Explain Error: the workspace code the trace points at). */
    attachments?: Attachment[];
    /**
     * "new" (explanations): the turn starts its own chat, so an unrelated open chat neither loses messages to it nor
     * mixes into the answer; "current" (the default): a new turn of the chat that is open.
     */
    thread?: "new" | "current";
}

export interface ChatApi {
    /** Opens the chat panel and streams the answer to `request` as a new turn of the current conversation. */
    ask(request: ChatTurnRequest): Promise<void>;
    /**
     * Adds attachments for the next prompt as the panel's buttons do ("selection", "file", …), or a file by its
     * address; returns what was added (nothing when it was refused with a message).
     */
    attach(target: AttachRequest | vscode.Uri): Promise<Attachment[]>;
    /** Where the chat history lives (one JSON file per chat); in-host tests read it with a new ConversationStore. */
    readonly historyDir: string;
    /** Whether the chat webview has been resolved (shown at least once and not disposed). */
    isViewResolved(): boolean;
    /** The conversations in memory, newest first. */
    conversations(): readonly Conversation[];
    /** Handles `message` exactly as if the chat webview had posted it (same guard, same handler): in-host tests. */
    post(message: unknown): Promise<void>;
    /** The messages of the last chat request as sent to the model (system message with pins and summary first). */
    lastRequest(): readonly ChatMessage[] | undefined;
    /** Resolves when no running summary is being written. */
    memoryIdle(): Promise<void>;
}

/**
 * Hearth's local knowledge index: what @workspace, @library and one-document questions retrieve from. Everything
 * stays on this machine: the indexes live in the extension's storage (workspace: `context.storageUri`, library:
 * `globalStorageUri`), are built and searched in a worker thread (the extension host never waits on indexing), and
 * are kept up to date by a file watcher and, after a restart, by mtime + size + content hash.
 *
 * Typical use (chat's @workspace):
 * ```ts
 * const hits = await services.knowledge.search(question, { scope: "workspace", limit: 8, signal });
 * if (!hits.length) … say that nothing relevant was found …
 * for (const hit of hits) … hit.text, cite `${hit.relativePath}:${hit.startLine}` (PDF: `p. ${hit.page}`),
 *                            open with vscode.Uri.parse(hit.uri) at line hit.startLine - 1 …
 * ```
 * One large document (attached file larger than the budget), even outside the workspace:
 * ```ts
 * await services.knowledge.indexFile(uri, signal);           // extracts + chunks it (PDF, DOCX, text), cached
 * const hits = await services.knowledge.search(question, { scope: { file: uri.toString() }, limit: 6 });
 * const chunks = await services.knowledge.documentChunks(uri, signal);  // all chunks in order, for map-reduce
 * ```
 */
export interface KnowledgeApi {
    /**
     * Best chunks for `query`, best first (at most `limit`, default 8; fewer or none when nothing matches — an empty
     * list means "nothing relevant", not an error). Lexical: BM25 over words, code identifiers split and whole,
     * Chinese words and character pairs. With `hearth.embeddingModel` set, the question is embedded too and the
     * lexical ranking is fused (RRF) with an exact cosine ranking of the chunks' stored vectors; chunks not embedded
     * yet are found by words, and when embedding the question fails the search is lexical (logged), never an error.
     * The `{ file }` scope (one document) is lexical only. Searches whatever is committed now: it does not
     * wait for a build in progress (use `whenReady` for that). A `{ file }` scope indexes that file first when
     * needed. Rejects with an AbortError when `signal` aborts, and with an Error whose message can be shown when
     * the index cannot be read.
     */
    search(query: string, options: KnowledgeSearchOptions): Promise<KnowledgeHit[]>;
    /** The index's state now (cheap, synchronous). */
    status(kind: KnowledgeIndexKind): KnowledgeIndexStatus;
    /** Fires on every change of either index's status (build progress is throttled to a few events a second). */
    readonly onDidChangeStatus: vscode.Event<KnowledgeIndexStatus>;
    /**
     * Resolves once the index has loaded and its first build (or catch-up after a restart) has finished, failed or
     * been cancelled; at once when it already has. For tests and for "answer once indexed" flows.
     */
    whenReady(kind: KnowledgeIndexKind, signal?: AbortSignal): Promise<KnowledgeIndexStatus>;
    /**
     * Extracts and chunks one document (any readable file: text, code, Markdown, PDF with page numbers, DOCX) into an
     * in-memory index kept for a few documents (re-read when the file's mtime or size changes). Resolves to its
     * chunk count. Size caps do not apply: the user chose the file.
     */
    indexFile(uri: vscode.Uri, signal?: AbortSignal): Promise<{ chunks: number }>;
    /** Every chunk of one document in document order (indexes it first when needed), for map-reduce summaries. */
    documentChunks(uri: vscode.Uri, signal?: AbortSignal): Promise<KnowledgeChunk[]>;
    /** Throws the index away and builds it again from the files (Hearth: Rebuild Index). */
    rebuild(kind: KnowledgeIndexKind): Promise<void>;
    /** Deletes the index from disk and stops indexing until Rebuild (Hearth: Clear Index). */
    clear(kind: KnowledgeIndexKind): Promise<void>;
}

export interface HearthServices {
    context: vscode.ExtensionContext;
    /** Every generation goes through here: the backend the user chose (embedded engine or a server). */
    backend: BackendService;
    /** Vectors for the knowledge index (a local embedding model in the engine process), if one is configured. */
    embedder: Embedder;
    /** The embedded engine process itself: model files, downloads, restart, memory. Not for generation. */
    engine: EngineService;
    /** First contact: no model configured → Select Model / Download Model, before a feature's first request. */
    modelGate: ModelGate;
    /** The shared diff review (Polish, Fix with Hearth, chat's Apply to Selection). */
    review: ReviewService;
    /** The local knowledge index (workspace, personal library, single documents). */
    knowledge: KnowledgeApi;
    log: vscode.LogOutputChannel;
}
