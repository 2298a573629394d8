/**
 * "Explain with Hearth" and "Fix with Hearth" on any language's diagnostics (lightbulb, Ctrl+.). Explain streams
 * into the chat panel as a new turn; Fix streams a proposed edit into the shared diff review, applied only on
 * Accept.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { buildExplainDiagnosticPrompt, buildFixMessages, explainDisplayText, stripCodeTags, truncate } from "../core/explain/explainPrompts";
import { cleanRewrite } from "../core/polish/cleanRewrite";
import { POLISH_TEMPERATURE } from "../core/polish/polishPrompts";
import { rewriteText } from "../core/polish/rewritePipeline";
import { handleEngineError } from "../backend/errorActions";
import { rewriteBackend } from "../review/rewriteBackend";
import type { ReviewService } from "../review/reviewService";
import type { ChatApi, ChatTurnRequest, HearthServices } from "../services";
import { diagnosticInfo, gatherCodeContext } from "./codeContext";
import { errorText } from "../core/errorText";

/** Diagnostics beyond this many at one position get no Hearth actions (the lightbulb list stays short). */
const MAX_DIAGNOSTICS = 3;
const EXPLAIN_LIMITS = { radius: 30, maxSymbolLines: 120 };
/** Fix rewrites the region it shows the model, so keep it small: small models copy long code badly. */
const FIX_LIMITS = { radius: 10, maxSymbolLines: 60 };

export class HearthDiagnosticActions implements vscode.CodeActionProvider {
    static readonly kinds = [vscode.CodeActionKind.QuickFix];

    provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
        const t = vscode.l10n.t;
        const diagnostics = context.diagnostics.slice(0, MAX_DIAGNOSTICS);
        const actions: vscode.CodeAction[] = [];
        diagnostics.forEach((d, i) => {
            // With several diagnostics here, name each so the user can tell the actions apart.
            const suffix = i === 0 ? "" : `: ${truncate(d.message, 60)}`;
            const explain = new vscode.CodeAction(t("Explain with Hearth") + suffix, vscode.CodeActionKind.QuickFix);
            explain.diagnostics = [d];
            explain.command = { command: "hearth.explainDiagnostic", title: explain.title, arguments: [document.uri, d] };
            const fix = new vscode.CodeAction(t("Fix with Hearth") + suffix, vscode.CodeActionKind.QuickFix);
            fix.diagnostics = [d];
            fix.command = { command: "hearth.fixDiagnostic", title: fix.title, arguments: [document.uri, d] };
            actions.push(explain, fix);
        });
        return actions;
    }
}

/** The diagnostic the command is about: the arguments from a code action, else the first one at the cursor. */
async function resolveTarget(uri?: vscode.Uri, diagnostic?: vscode.Diagnostic): Promise<{ document: vscode.TextDocument; diagnostic: vscode.Diagnostic } | undefined> {
    if (uri && diagnostic) return { document: await vscode.workspace.openTextDocument(uri), diagnostic };
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const position = editor.selection.active;
    const all = vscode.languages.getDiagnostics(editor.document.uri);
    const here = all.filter((d) => d.range.contains(position) || d.range.start.line === position.line);
    const found = here[0] ?? all.sort((a, b) => Math.abs(a.range.start.line - position.line) - Math.abs(b.range.start.line - position.line))[0];
    return found ? { document: editor.document, diagnostic: found } : undefined;
}

export async function explainDiagnostic(chat: ChatApi, services: HearthServices, uri?: vscode.Uri, diagnostic?: vscode.Diagnostic): Promise<ChatTurnRequest | undefined> {
    const target = await resolveTarget(uri, diagnostic);
    if (!target) {
        void vscode.window.showInformationMessage(vscode.l10n.t("There is no problem (diagnostic) at the cursor to explain."));
        return undefined;
    }
    const info = diagnosticInfo(target.diagnostic);
    const ctx = await gatherCodeContext(target.document, target.diagnostic.range, EXPLAIN_LIMITS);
    const request: ChatTurnRequest = {
        prompt: buildExplainDiagnosticPrompt(info, ctx),
        displayText: explainDisplayText(info, ctx.fileName),
    };
    try {
        // An explanation starts its own chat: an unrelated open chat would trim its history to make room.
        await chat.ask({ ...request, thread: "new" });
    } catch (err) {
        services.log.error(`explain failed: ${errorText(err)}`);
        void handleEngineError(err);
    }
    return request;
}

export type FixOutcome = { status: "ready"; text: string; reviewId: number } | { status: "cancelled" | "error" | "noDiagnostic"; message?: string };

export async function fixDiagnostic(services: HearthServices, review: ReviewService, uri?: vscode.Uri, diagnostic?: vscode.Diagnostic): Promise<FixOutcome> {
    const t = vscode.l10n.t;
    const target = await resolveTarget(uri, diagnostic);
    if (!target) {
        void vscode.window.showInformationMessage(t("There is no problem (diagnostic) at the cursor to fix."));
        return { status: "noDiagnostic" };
    }
    const { document } = target;
    const info = diagnosticInfo(target.diagnostic);
    const ctx = await gatherCodeContext(document, target.diagnostic.range, FIX_LIMITS);
    const originalText = document.getText(ctx.range);
    const eol = document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n";
    if (!(await services.modelGate.ensure(t("Hearth needs a model to fix this problem. Choose a GGUF model on this machine or download one; the fix is written then.")))) {
        return { status: "cancelled" };
    }
    try {
        // Load the model before opening the diff: a missing model is reported without a diff flashing.
        await services.backend.ready();
    } catch (err) {
        void handleEngineError(err);
        return { status: "error", message: errorText(err) };
    }
    const session = review.proposeEdit({
        document,
        range: ctx.range,
        originalText,
        title: t("Hearth: Fix — {0}", path.basename(document.uri.path)),
        // Refine of a fix: the same rewrite pipeline, with the user's instruction applied to the proposed code.
        refine: async (instruction, lastVersion, stream) => {
            const result = await rewriteText({
                request: { kind: "custom", languageId: document.languageId, customInstruction: instruction },
                text: lastVersion, eol, signal: stream.signal,
                refine: { instruction, originalText },
                backend: await rewriteBackend(services.backend, stream.signal),
                onProgress: (p) => stream.showPartial(p.preview, t("Refining…")),
            }).catch((err: unknown) => { void handleEngineError(err); throw err; });
            return result.cancelled ? undefined : result.text;
        },
    });
    try {
        const text = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: t("Hearth: fixing {0}", truncate(info.message, 60)), cancellable: true },
            async (_progress, token) => {
                const onCancel = token.onCancellationRequested(() => session.finish("cancelled"));
                try {
                    const model = await services.backend.ready(session.signal);
                    const messages = buildFixMessages(info, ctx);
                    const [promptTokens = 0, codeTokens = 0] = (await services.backend.countTokens(
                        [messages.map((m) => m.text).join("\n"), originalText], session.signal)).counts;
                    const maxTokens = Math.max(32, Math.min(model.contextSize - promptTokens - 48, codeTokens * 2 + 128));
                    let raw = "";
                    const clean = (s: string) => cleanRewrite(stripCodeTags(s), originalText, { eol });
                    const result = await services.backend.chat({
                        messages, maxTokens, sampling: { temperature: POLISH_TEMPERATURE, seed: 42 },
                    }, {
                        signal: session.signal,
                        onText: (text) => {
                            raw += text;
                            session.showPartial(clean(raw), t("Writing a fix…"));
                        },
                    });
                    return result.stopReason === "cancelled" ? undefined : clean(result.text);
                } finally {
                    onCancel.dispose();
                }
            },
        );
        if (text === undefined || session.outcomeValue) {
            session.finish("cancelled");
            return { status: "cancelled" };
        }
        if (!text.trim()) throw new Error(t("The model returned no code for the fix. Try again, or use Explain with Hearth."));
        session.setVersion(text, text === originalText ? t("The model proposed no change.") : undefined);
        return { status: "ready", text, reviewId: session.id };
    } catch (err) {
        if (session.outcomeValue) return { status: "cancelled" };
        const message = errorText(err);
        session.fail(message);
        services.log.error(`fix failed: ${message}`);
        void handleEngineError(err);
        return { status: "error", message };
    }
}
