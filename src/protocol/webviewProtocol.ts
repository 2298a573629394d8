/**
 * Typed messages between the chat webview (src/webview/chat) and its host (src/chat). Discriminated unions keyed
 * by `type`; the host checks every incoming message with `isWebviewToHostMessage` because a webview is a separate
 * (sandboxed) world. Free of `vscode` so the webview bundle and the unit tests can import it.
 */
import type { Attachment, Conversation, ConversationSummary } from "./conversation";

/** Every UI string the webview shows; the host fills them with vscode.l10n.t so they follow VS Code's language. */
export const UI_STRING_KEYS = [
    "placeholder", "send", "stop", "newChat", "renameChat", "deleteChat", "clearAll", "chats",
    "attachSelection", "attachFile", "attachWorkspaceFile", "attachOpenEditors", "removeAttachment",
    "copy", "copied", "insert", "apply", "edit", "delete", "regenerate", "cancelEdit", "editing",
    "you", "assistant", "stopped", "interrupted", "cutAtLimit", "continueAnswer", "failed", "droppedNote", "truncatedNote", "promptCutNote",
    "autoAttached", "estimatedTokens", "tokens", "loadingModel", "startingEngine", "noModel", "selectModel",
    "downloadModel", "restartEngine", "engineError", "showLog", "emptyChat", "tokPerSec", "thinking",
    "searchWorkspace", "searchWorkspaceOn", "sources", "openSource",
    "summaryTitle", "summaryHint", "summarising", "summaryEmpty", "summaryEdit", "summaryDelete", "summarySave",
    "summaryCancel", "pin", "unpin", "pinned", "summarisedHint", "memoryRoom", "memoryRoomEstimated", "exportChat",
] as const;

export type UiStringKey = (typeof UI_STRING_KEYS)[number];
export type UiStrings = Record<UiStringKey, string>;

export type ModelStatusView =
    | { kind: "idle" }
    | { kind: "starting" }
    | { kind: "loading"; progress: number; modelName: string }
    | { kind: "ready"; modelName: string; contextSize: number }
    | { kind: "noModel" }
    /** `actions`: the buttons that fix it, the same as the notification's (Select Model, Restart Engine, …). */
    | { kind: "error"; message: string; actions: PanelCommand[] };

export interface ChatViewState {
    conversations: ConversationSummary[];
    current: Conversation | undefined;
    /** Attachments waiting to be sent with the next prompt. */
    pending: Attachment[];
    /** Id of the assistant message being generated, if any. */
    streamingId: string | undefined;
    /** Problems worth telling the user once (a damaged chat file was set aside...). */
    notices: string[];
    /** Tokens the attachments of one request may use with the loaded model (undefined until a model is loaded). */
    attachmentRoom: number | undefined;
    /** The current chat's long-term memory: pins, running summary, room left. */
    memory: ChatMemoryView;
}

export interface ChatMemoryView {
    /** Running summaries are switched on (`hearth.chat.summarizeHistory`). */
    enabled: boolean;
    /** The summary of this chat is being written now. */
    summarising: boolean;
    pinnedCount: number;
    /** Tokens the pinned messages take in every request (template overhead included). */
    pinnedTokens: number;
    summaryTokens: number;
    /** Prompt tokens one request may use with the loaded model; undefined until a model is loaded. */
    budget: number | undefined;
    /** What is left of `budget` for the conversation once the system prompt, the pins and the summary are counted. */
    room: number | undefined;
    /** How many more tokens may be pinned. */
    pinRoom: number | undefined;
    /** The counts are estimates (the model's tokenizer was not available). */
    estimated: boolean;
}

export type HostToWebviewMessage =
    | { type: "init"; strings: UiStrings; state: ChatViewState; status: ModelStatusView }
    | { type: "state"; state: ChatViewState }
    /** Text appended to the streaming answer since the last `stream` message (batched by the host). */
    | { type: "stream"; messageId: string; text: string }
    | { type: "status"; status: ModelStatusView }
    | { type: "focusPrompt" };

export type AttachRequest = "selection" | "file" | "workspaceFile" | "openEditors";
export type CodeAction = "copy" | "insert" | "apply";
export type PanelCommand = "selectModel" | "downloadModel" | "restartEngine" | "showLog";

export type WebviewToHostMessage =
    | { type: "ready" }
    /** `scope`: the toolbar's "search the workspace" toggle was on (typing @workspace / @library works too). */
    | { type: "send"; text: string; editOf?: string; scope?: "workspace" | "library" }
    /** A citation [n] or an entry of an answer's source list was clicked. */
    | { type: "openSource"; messageId: string; n: number }
    | { type: "stop" }
    | { type: "newChat" }
    | { type: "selectChat"; id: string }
    | { type: "renameChat"; id: string }
    | { type: "deleteChat"; id: string }
    | { type: "clearAll" }
    | { type: "deleteMessage"; id: string }
    | { type: "regenerate" }
    /** Continue the last answer, cut at the token limit. */
    | { type: "continue" }
    | { type: "attach"; kind: AttachRequest }
    | { type: "removeAttachment"; id: string }
    | { type: "code"; action: CodeAction; code: string; language: string }
    /** A click on a link in an answer: the host asks the user before anything is opened (src/chat/chatLinks.ts). */
    | { type: "openLink"; href: string }
    | { type: "command"; command: PanelCommand }
    /** The prompt box went from empty to not empty (`active`), or back without sending. */
    | { type: "composing"; active: boolean }
    | { type: "pinMessage"; id: string; pinned: boolean }
    /** `chatId` names the chat whose summary was shown, in case another one became current meanwhile. */
    | { type: "editSummary"; chatId: string; text: string }
    | { type: "deleteSummary"; chatId: string }
    | { type: "exportChat"; id: string };

const ATTACH: ReadonlySet<string> = new Set<AttachRequest>(["selection", "file", "workspaceFile", "openEditors"]);
const CODE: ReadonlySet<string> = new Set<CodeAction>(["copy", "insert", "apply"]);
const COMMANDS: ReadonlySet<string> = new Set<PanelCommand>(["selectModel", "downloadModel", "restartEngine", "showLog"]);

export function isWebviewToHostMessage(value: unknown): value is WebviewToHostMessage {
    if (typeof value !== "object" || value === null) return false;
    const m = value as Record<string, unknown>;
    const str = (k: string) => typeof m[k] === "string";
    switch (m.type) {
        case "ready": case "stop": case "newChat": case "clearAll": case "regenerate": case "continue":
            return true;
        case "send":
            return str("text") && (m.editOf === undefined || str("editOf"))
                && (m.scope === undefined || m.scope === "workspace" || m.scope === "library");
        case "openSource":
            return str("messageId") && Number.isInteger(m.n) && (m.n as number) >= 1 && (m.n as number) <= 1000;
        case "selectChat": case "renameChat": case "deleteChat": case "deleteMessage": case "removeAttachment":
            return str("id");
        case "attach":
            return str("kind") && ATTACH.has(m.kind as string);
        case "code":
            return str("code") && str("language") && str("action") && CODE.has(m.action as string);
        case "command":
            return str("command") && COMMANDS.has(m.command as string);
        case "openLink":
            return str("href") && (m.href as string).length <= 8192;
        case "composing":
            return typeof m.active === "boolean";
        case "pinMessage":
            return str("id") && typeof m.pinned === "boolean";
        case "editSummary":
            return str("chatId") && str("text");
        case "deleteSummary":
            return str("chatId");
        case "exportChat":
            return str("id");
        default:
            return false;
    }
}
