/**
 * Hearth's model in VS Code's model picker and for every extension that calls `vscode.lm`: a language-model chat
 * provider (vendor "hearth") over services.backend. Requests run through the same backend as Hearth's own chat:
 * one model in memory, the engine's chat queue shared (a long request waits its turn, inline completions go first:
 * src/engine/chatPrefill.ts), each request a foreground generation (status bar "generating", Stop Generation stops
 * it), and cancelling the request cancels it in the engine.
 *
 * One entry: the model Hearth answers with (the embedded engine's, or the configured server model). Listing never
 * loads or connects: until the model is ready the entry describes the configured one with the configured context;
 * the first request loads it, and the entry then updates to the context really allocated and the template's tool
 * support. (Listing every model of a server needs requests that name their model; the server backend answers with
 * its configured one.)
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { handleEngineError, isModelProblem } from "../backend/errorActions";
import type { BackendModel } from "../backend/llmBackend";
import { getSetting, onDidChangeSetting } from "../config/settings";
import { DisposableStore } from "../core/disposables";
import { errorText } from "../core/errorText";
import { messageTokenText, toChatMessages } from "../core/lm/requestMessages";
import { modelLimits, requestMaxTokens, requestTemperature } from "../core/lm/modelLimits";
import { TokenCounter } from "../core/lm/tokenCounter";
import { EngineError } from "../protocol/engineProtocol";
import type { ChatParams } from "../protocol/generation";
import type { HearthServices } from "../services";
import {
    LM_TOOL_MODE_REQUIRED,
    type LmChatInformation,
    type LmChatProvider,
    type LmProviderApi,
    type LmRequestMessage,
    type LmResponseOptions,
    type LmResponsePart,
} from "./lmApi";

/** The embedded engine's entry. A stable id: VS Code keeps Hearth selected when the user switches GGUF files. */
export const LOCAL_MODEL_ID = "hearth-local";
/** The server backend's entry (its configured model), stable across model changes for the same reason. */
export const SERVER_MODEL_ID = "hearth-server";
/** The announced context of a server model before Hearth has asked the server (its probe reads the real one). */
const DEFAULT_SERVER_CONTEXT = 4096;

/**
 * Template tokens around each message (role markers, end of turn): ChatML's `<|im_start|>user\n…<|im_end|>\n` and
 * Llama 3's header/eot markers are 5 each. Added to a message's count so VS Code's prompt budget keeps room for them.
 */
export const MESSAGE_OVERHEAD_TOKENS = 5;

export class HearthChatProvider implements LmChatProvider<LmChatInformation>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeLanguageModelChatInformation = this.changed.event;
    private readonly disposables = new DisposableStore();
    private readonly counter: TokenCounter;
    private lastSignature = "";

    constructor(private readonly services: HearthServices, private readonly api: LmProviderApi) {
        // Counting never loads a model: before one is ready the backend answers with estimates (not cached).
        this.counter = new TokenCounter((texts) => services.backend.countTokens(texts));
        this.lastSignature = JSON.stringify(this.currentModel());
        this.disposables.add(
            this.changed,
            services.backend.onDidChangeState(() => this.refresh()),
            onDidChangeSetting(["backend", "model", "contextSize", "chat.maxTokens", "server.url", "server.model", "server.contextSize"], () => this.refresh()),
        );
    }

    provideLanguageModelChatInformation(_options: { readonly silent: boolean }, _token: vscode.CancellationToken): LmChatInformation[] {
        return [this.currentModel()];
    }

    async provideLanguageModelChatResponse(
        _model: LmChatInformation,
        messages: readonly LmRequestMessage[],
        options: LmResponseOptions,
        progress: vscode.Progress<LmResponsePart>,
        token: vscode.CancellationToken,
    ): Promise<void> {
        const controller = abortOn(token);
        const { backend, log } = this.services;
        try {
            const ready = await backend.ready(controller.signal);
            const tools = options.tools ?? [];
            if (tools.length > 0 && !ready.capabilities.toolCalling) {
                throw new Error(vscode.l10n.t(
                    "Hearth: {0} cannot call tools: its chat template has no function calling. Ask without tools, or choose a model made for tool use with “Hearth: Select Model”.",
                    ready.name));
            }
            const limits = modelLimits(ready.contextSize, getSetting("chat.maxTokens"));
            const params: ChatParams = {
                messages: toChatMessages(messages),
                maxTokens: requestMaxTokens(options.modelOptions, limits),
                sampling: { temperature: requestTemperature(options.modelOptions) ?? getSetting("chat.temperature") },
                ...(tools.length > 0 ? {
                    tools: tools.map((t) => ({ name: t.name, description: t.description, parameters: t.inputSchema })),
                    toolChoice: options.toolMode === LM_TOOL_MODE_REQUIRED ? "required" as const : "auto" as const,
                } : {}),
            };
            const result = await backend.chat(params, {
                signal: controller.signal,
                onText: (text) => progress.report(this.api.textPart(text)),
            });
            for (const call of result.toolCalls ?? []) progress.report(this.api.toolCallPart(call.id, call.name, call.arguments));
            log.info(`Language model request (${messages.length} messages, ${tools.length} tools): ${result.tokens} tokens, `
                + `${result.toolCalls?.length ?? 0} tool calls, ${result.stopReason}, ${result.totalMs.toFixed(0)} ms`);
        } catch (err) {
            // Cancelled by the caller: VS Code already knows; the partial answer stands.
            if (err instanceof EngineError && err.code === "cancelled" && token.isCancellationRequested) return;
            if (isModelProblem(err)) {
                // The caller shows the message; the notification offers the fix (Select Model / Download Model).
                void handleEngineError(err);
                throw new Error(`Hearth: ${(err as EngineError).message}`);
            }
            throw err instanceof Error ? err : new Error(errorText(err));
        } finally {
            controller.dispose();
        }
    }

    async provideTokenCount(_model: LmChatInformation, text: string | LmRequestMessage, _token: vscode.CancellationToken): Promise<number> {
        const key = this.services.backend.model?.id ?? getSetting("model");
        if (typeof text === "string") return this.counter.count(key, text);
        return (await this.counter.count(key, messageTokenText(text))) + MESSAGE_OVERHEAD_TOKENS;
    }

    /** Cache hits, exact counts and estimates served so far (the log and tests read them). */
    get tokenCountStats(): Readonly<TokenCounter["stats"]> {
        return this.counter.stats;
    }

    dispose(): void {
        this.disposables.dispose();
    }

    /** Tells VS Code to ask again when what it would be told changed (a model loaded, a setting changed). */
    private refresh(): void {
        const signature = JSON.stringify(this.currentModel());
        if (signature === this.lastSignature) return;
        this.lastSignature = signature;
        this.changed.fire();
    }

    /** The one model Hearth answers with: the embedded engine's or the configured server's. */
    private currentModel(): LmChatInformation {
        const backend = this.services.backend;
        const ready = backend.model;
        const server = backend.kind === "openai-compatible";
        const configured = server ? getSetting("server.model") : getSetting("model");
        const name = ready?.name
            ?? (configured ? path.basename(configured, ".gguf") : server ? vscode.l10n.t("Hearth (server)") : vscode.l10n.t("Hearth (no model selected)"));
        const contextSize = ready?.contextSize ?? (server ? getSetting("server.contextSize") || undefined : getSetting("contextSize"));
        const limits = modelLimits(contextSize ?? DEFAULT_SERVER_CONTEXT, getSetting("chat.maxTokens"));
        const host = ready?.location.kind === "server" ? ready.location.host : serverHost(getSetting("server.url"));
        return {
            id: server ? SERVER_MODEL_ID : LOCAL_MODEL_ID,
            name,
            family: "hearth",
            // The model's file (or server id): what changes when the user picks another model; the id stays.
            version: path.basename(ready?.id ?? configured),
            ...limits,
            capabilities: { toolCalling: ready?.capabilities.toolCalling ?? false, imageInput: false },
            detail: ready ? describeLocation(ready)
                : server ? vscode.l10n.t("Hearth · server {0} · connects on first use", host)
                    : configured ? vscode.l10n.t("Hearth · loads on first use") : vscode.l10n.t("Hearth · run “Hearth: Select Model”"),
            // Where the text goes, stated as it is: the privacy promise differs between the two backends.
            tooltip: server ? vscode.l10n.t("Runs on the server {0} set in Hearth's settings: what you send goes to that server.", host)
                : vscode.l10n.t("Runs with Hearth on this computer; nothing you send leaves it."),
        };
    }
}

function serverHost(url: string): string {
    try {
        return new URL(url).host || url;
    } catch {
        return url;
    }
}

function describeLocation(model: BackendModel): string {
    const where = model.location.kind === "server" ? model.location.host : model.location.compute.toUpperCase();
    return vscode.l10n.t("Hearth · {0} · {1} tokens", where, model.contextSize);
}

/** An AbortController that aborts when `token` is cancelled; dispose it to stop listening. */
function abortOn(token: vscode.CancellationToken): AbortController & { dispose(): void } {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    return Object.assign(controller, { dispose: () => subscription.dispose() });
}
