/**
 * Inline suggestions (ghost text) for every file type: the provider, its on/off toggle with snooze, and the
 * collector of context from other files. Nothing starts the engine until the first suggestion is asked for.
 */
import * as vscode from "vscode";
import { TEST_BUILD, testHooksEnabled } from "../core/testHooks";
import type { HearthServices } from "../services";
import type { SuggestionResult } from "./completionEngine";
import { CompletionToggle } from "./completionToggle";
import { ContextCollector } from "./contextCollector";
import { HearthInlineCompletionProvider } from "./inlineProvider";

/** What the test-only `hearth.completions.provideAt` command answers (in-host tests). */
export interface ProvideAtResult {
    items: string[];
    last?: Pick<SuggestionResult, "kind" | "raw" | "stoppedByRules"> & { evaluatedPromptTokens?: number; promptTokens?: number };
}

export function registerCompletions(services: HearthServices): HearthInlineCompletionProvider {
    const { context, backend, log } = services;
    const toggle = new CompletionToggle(context.globalState);
    const collector = new ContextCollector();
    const provider = new HearthInlineCompletionProvider(backend, toggle, collector, log, services.modelGate);
    context.subscriptions.push(
        toggle,
        collector,
        provider,
        vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider),
    );
    // For in-host tests only, never in the shipped extension (src/core/testHooks.ts). Written inline so that the
    // production build drops it whole.
    if (TEST_BUILD && testHooksEnabled()) {
        context.subscriptions.push(
            // Not in the palette: true when no suggestion is being debounced or generated (in-host tests wait on it).
            vscode.commands.registerCommand("hearth.completions.idle", () => provider.session.scheduler.idle),
            // Not in the palette: labels of the other-file snippets a suggestion in this document would be given.
            vscode.commands.registerCommand("hearth.completions.contextLabels", async (uri: vscode.Uri) =>
                collector.labelsFor(await vscode.workspace.openTextDocument(uri))),
            // Not in the palette: asks the provider exactly as VS Code does, for a document and position.
            vscode.commands.registerCommand("hearth.completions.provideAt", async (uri: vscode.Uri, position: vscode.Position): Promise<ProvideAtResult> => {
                const document = await vscode.workspace.openTextDocument(uri);
                const source = new vscode.CancellationTokenSource();
                try {
                    provider.lastResult = undefined;
                    const items = await provider.provideInlineCompletionItems(document, position,
                        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined }, source.token) ?? [];
                    const last = provider.lastResult as SuggestionResult | undefined;
                    return {
                        items: items.map((i) => (typeof i.insertText === "string" ? i.insertText : i.insertText.value)),
                        last: last && {
                            kind: last.kind, raw: last.raw, stoppedByRules: last.stoppedByRules,
                            evaluatedPromptTokens: last.result?.evaluatedPromptTokens, promptTokens: last.result?.promptTokens,
                        },
                    };
                } finally {
                    source.dispose();
                }
            }),
        );
    }
    return provider;
}
