/**
 * What every capability gets at registration: the shared services, made explicitly in extension.ts. Capabilities
 * (chat, polish, explain, completion, models, …) depend on these, never on each other.
 */
import type * as vscode from "vscode";
import type { BackendService } from "./backend/backendService";
import type { Embedder } from "./backend/embedder";
import type { EngineService } from "./engineClient/engineService";
import type { Conversation } from "./protocol/conversation";
import type { ReviewService } from "./review/reviewService";

/** A new chat turn started by another capability (Explain Error streams its answer into the chat panel). */
export interface ChatTurnRequest {
    /** The full prompt sent to the model. */
    prompt: string;
    /** What the chat shows as the user's message (shorter than the prompt). */
    displayText: string;
}

export interface ChatApi {
    /** Opens the chat panel and streams the answer to `request` as a new turn of the current conversation. */
    ask(request: ChatTurnRequest): Promise<void>;
    /** Where the chat history lives (one JSON file per chat); in-host tests read it with a new ConversationStore. */
    readonly historyDir: string;
    /** Whether the chat webview has been resolved (shown at least once and not disposed). */
    isViewResolved(): boolean;
    /** The conversations in memory, newest first. */
    conversations(): readonly Conversation[];
}

export interface HearthServices {
    context: vscode.ExtensionContext;
    /** Every generation goes through here: the backend the user chose (embedded engine or a server). */
    backend: BackendService;
    /** Vectors for the knowledge index (a local embedding model in the engine process), if one is configured. */
    embedder: Embedder;
    /** The embedded engine process itself: model files, downloads, restart, memory. Not for generation. */
    engine: EngineService;
    /** The shared diff review (Polish, Fix with Hearth, chat's Apply to Selection). */
    review: ReviewService;
    log: vscode.LogOutputChannel;
}
