/** What every capability gets at registration. Capabilities depend on these interfaces, not on each other. */
import type * as vscode from "vscode";
import type { Conversation } from "./core/chat/chatModel";
import type { EngineService } from "./engineClient/engineService";

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
    engine: EngineService;
    log: vscode.LogOutputChannel;
}
