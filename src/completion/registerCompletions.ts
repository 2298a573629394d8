/**
 * Inline suggestions (ghost text) for every file type: the provider, its on/off toggle with snooze, and the
 * collector of context from other files. Nothing starts the engine until the first suggestion is asked for.
 */
import * as vscode from "vscode";
import type { HearthServices } from "../services";
import { CompletionToggle } from "./completionToggle";
import { ContextCollector } from "./contextCollector";
import { HearthInlineCompletionProvider } from "./inlineProvider";

export function registerCompletions(services: HearthServices): HearthInlineCompletionProvider {
    const { context, engine, log } = services;
    const toggle = new CompletionToggle(context.globalState);
    const collector = new ContextCollector();
    const provider = new HearthInlineCompletionProvider(engine, toggle, collector, log);
    context.subscriptions.push(
        toggle,
        collector,
        provider,
        vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider),
    );
    return provider;
}
