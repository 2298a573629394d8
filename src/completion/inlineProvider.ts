/**
 * The InlineCompletionItemProvider behind Hearth's ghost text. Each call (VS Code makes one per keystroke and
 * cancels the previous one) goes through the CompletionSession: an instant answer when the user is typing through
 * an earlier suggestion, else a debounced, latest-wins request on the engine's completion sequence.
 */
import * as vscode from "vscode";
import { getSetting } from "../config/settings";
import type { BackendService } from "../backend/backendService";
import type { ModelGate } from "../backend/modelGate";
import { insideSelection } from "../core/completion/enablement";
import { EngineError } from "../protocol/engineProtocol";
import { CompletionSession, type SuggestionResult } from "./completionEngine";
import type { CompletionToggle } from "./completionToggle";
import { isCodeDocument, type ContextCollector } from "./contextCollector";
import { documentWindow } from "./documentWindow";
import { DisposableStore } from "../core/disposables";
import { errorText } from "../core/errorText";

export class HearthInlineCompletionProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
    readonly session: CompletionSession;
    private readonly disposables = new DisposableStore();
    private lastModelId: string | undefined;
    private lastError: string | undefined;
    /** The latest suggestion shown (for the in-host test and the log). */
    lastResult: SuggestionResult | undefined;

    constructor(
        private readonly backend: BackendService,
        private readonly toggle: CompletionToggle,
        private readonly collector: ContextCollector,
        private readonly log: vscode.LogOutputChannel,
        private readonly gate: Pick<ModelGate, "hasModel" | "offerForCompletions">,
    ) {
        this.session = new CompletionSession(backend, {
            debounceMs: () => getSetting("completions.debounceMs"),
            // A spinner in the toggle item while a generation is really running (not while debouncing).
            events: { onStart: () => toggle.setBusy(true), onSettle: () => toggle.setBusy(false) },
        });
        this.disposables.add(
            backend.onDidChangeState((s) => {
                if (s.kind !== "ready" || s.model.id === this.lastModelId) return;
                // Another model: cached suggestions were its predecessor's.
                this.lastModelId = s.model.id;
                this.session.cache.clear();
            }),
            vscode.workspace.onDidCloseTextDocument((d) => this.session.cache.clear(d.uri.toString())),
        );
    }

    async provideInlineCompletionItems(
        document: vscode.TextDocument,
        position: vscode.Position,
        context: vscode.InlineCompletionContext,
        token: vscode.CancellationToken,
    ): Promise<vscode.InlineCompletionItem[] | undefined> {
        if (!isCodeDocument(document) || this.toggle.enablementFor(document.languageId) !== "on") {
            this.session.cancel();
            return undefined;
        }
        // Never inside a selection, and not while the suggest widget offers its own items.
        const editor = vscode.window.activeTextEditor;
        const offset = document.offsetAt(position);
        if (editor?.document === document && insideSelection(editor.selections.map((s) => ({
            start: document.offsetAt(s.anchor), end: document.offsetAt(s.active),
        })), offset)) return undefined;
        if (context.selectedCompletionInfo) return undefined;
        // No model yet: offer Select / Download Model once per window (the status bar says so too).
        if (!this.gate.hasModel) {
            this.gate.offerForCompletions();
            return undefined;
        }
        const backendState = this.backend.state;
        if (backendState.kind === "error" && backendState.stopped) return undefined;

        const docKey = document.uri.toString();
        const doc = {
            ...documentWindow(document, offset),
            languageId: document.languageId,
            fileName: vscode.workspace.asRelativePath(document.uri),
        };
        // Before the cache: a definition lookup that failed (language server still starting) is retried later.
        this.collector.noteSymbolAtCursor(document, position);
        const cached = this.session.fromCache(docKey, doc);
        // An explicit trigger (Alt+\) asks the model again where the cache only remembers an empty answer.
        const explicitRetry = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke && cached?.text === "";
        if (cached && !explicitRetry) {
            this.session.cancel();
            this.lastResult = cached;
            return cached.text ? [item(cached.text, position)] : undefined;
        }

        const abort = new AbortController();
        const onCancel = token.onCancellationRequested(() => abort.abort());
        try {
            // The cache was consulted above; the session asks the model.
            const result = await this.session.suggest(docKey, () => this.backend.ready(), doc, {
                maxTokens: getSetting("completions.maxTokens"),
                timeBudgetMs: getSetting("completions.timeBudgetMs"),
                snippets: this.collector.snippetsFor(document),
                signal: abort.signal,
                skipCache: true,
            });
            if (!result || token.isCancellationRequested) return undefined;
            this.lastResult = result;
            this.lastError = undefined;
            const r = result.result;
            if (r) {
                this.log.debug(`completion (${result.kind}): ${r.evaluatedPromptTokens}/${r.promptTokens} prompt tokens evaluated, `
                    + `first token ${r.timeToFirstTokenMs.toFixed(0)} ms, ${r.tokens} tokens in ${r.totalMs.toFixed(0)} ms, ${r.stopReason}`
                    + `${result.stoppedByRules ? " (rules)" : ""}, ${result.text.length} chars shown`);
            }
            return result.text ? [item(result.text, position)] : undefined;
        } catch (err) {
            this.reportOnce(err);
            return undefined;
        } finally {
            onCancel.dispose();
        }
    }

    /** Failures are logged once per distinct message: a toast per keystroke would be unbearable. */
    private reportOnce(err: unknown): void {
        if (err instanceof EngineError && (err.code === "cancelled" || err.code === "noModel")) return;
        const message = errorText(err);
        if (message === this.lastError) return;
        this.lastError = message;
        this.log.warn(`Inline suggestion failed: ${message}`);
    }

    dispose(): void {
        this.session.cancel();
        this.disposables.dispose();
    }
}

function item(text: string, position: vscode.Position): vscode.InlineCompletionItem {
    return new vscode.InlineCompletionItem(text, new vscode.Range(position, position));
}
