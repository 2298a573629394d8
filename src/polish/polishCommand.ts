/**
 * Polish Selection: rewrites the selection with the local model, streaming the proposal into a diff editor,
 * then leaves the decision to the user (Accept / Reject / Refine in the shared review). Nothing touches the
 * document until Accept; cancelling at any point leaves it byte-identical.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { polishKindLabel, type PolishKind, type PolishRequest } from "../core/polish/polishPrompts";
import { MAX_POLISH_CHARS, rewriteText, type RewriteProgress } from "../core/polish/rewritePipeline";
import { handleEngineError } from "../backend/errorActions";
import { rewriteBackend } from "../review/rewriteBackend";
import type { RefineHandler, ReviewService } from "../review/reviewService";
import type { ReviewSession } from "../review/reviewSession";
import type { HearthServices } from "../services";
import { errorText } from "../core/errorText";

/** Optional arguments, so tests and other features can drive Polish without any UI. */
export interface PolishArgs {
    kind?: PolishKind;
    /** The instruction for kind "custom" (otherwise asked in an input box). */
    instruction?: string;
    /** Document to polish (default: the active editor's). */
    uri?: vscode.Uri;
    /** Range to polish (default: the editor's selection). */
    range?: vscode.Range;
}

export type PolishOutcome =
    | { status: "ready"; text: string; parts: number; reviewId: number }
    | { status: "cancelled" | "noSelection" | "tooLarge" | "error"; reviewId?: number; message?: string };

export function kindLabel(kind: PolishKind): string {
    // Each label spelled out so the l10n extractor and the Chinese bundle see the English strings.
    const t = vscode.l10n.t;
    const labels: Record<PolishKind, string> = {
        improve: t("Improve Writing"),
        grammar: t("Fix Grammar and Spelling"),
        shorter: t("Make Shorter"),
        formal: t("Make More Formal"),
        casual: t("Make More Casual"),
        toEnglish: t("Translate to English"),
        toChinese: t("Translate to Chinese"),
        custom: t("Custom Instruction"),
    };
    return labels[kind] ?? polishKindLabel(kind);
}

export class PolishCommand {
    constructor(private readonly services: HearthServices, private readonly review: ReviewService) {}

    async run(kind: PolishKind, args: PolishArgs = {}): Promise<PolishOutcome> {
        const t = vscode.l10n.t;
        const target = await this.target(args);
        if (!target) {
            void vscode.window.showInformationMessage(t("Select the text you want Hearth to polish first."));
            return { status: "noSelection" };
        }
        const { document, range } = target;
        // Measured from offsets: a huge selection is refused without copying its text.
        const length = document.offsetAt(range.end) - document.offsetAt(range.start);
        if (length > MAX_POLISH_CHARS) {
            const message = t("The selection is too long to polish at once ({0} characters; Hearth polishes up to {1} at a time, about 40 pages). Select a part of it and polish it in steps.",
                length.toLocaleString(), MAX_POLISH_CHARS.toLocaleString());
            void vscode.window.showWarningMessage(message);
            return { status: "tooLarge", message };
        }
        let customInstruction = args.instruction;
        if (kind === "custom" && !customInstruction) {
            customInstruction = await vscode.window.showInputBox({
                title: t("Hearth: Polish with your own instruction"),
                prompt: t("What should Hearth do with the selected text?"),
                placeHolder: t("e.g. rewrite as bullet points"),
                ignoreFocusOut: true,
            });
            if (!customInstruction?.trim()) return { status: "cancelled" };
        }
        if (!(await this.services.modelGate.ensure(t("Hearth needs a model to polish text. Choose a GGUF model on this machine or download one; the selection is polished then.")))) {
            return { status: "cancelled" };
        }
        const request: PolishRequest = { kind, languageId: document.languageId, customInstruction };
        const originalText = document.getText(range);
        const eol = document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n";
        const label = kindLabel(kind);
        const title = t("Hearth: {0} — {1}", label, path.basename(document.uri.path));
        const controller = new AbortController();
        let session: ReviewSession | undefined;
        try {
            const result = await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: t("Hearth: {0}", label), cancellable: true },
                async (progress, token) => {
                    const onCancel = token.onCancellationRequested(() => {
                        controller.abort();
                        session?.finish("cancelled");
                    });
                    try {
                        // Load the model before opening the diff: a missing model is reported without a diff flashing.
                        const backend = await rewriteBackend(this.services.backend, controller.signal);
                        if (controller.signal.aborted) return undefined;
                        const review = this.review.proposeEdit({
                            document, range, originalText, title, refine: this.refineHandler(request, originalText, eol),
                        });
                        session = review;
                        // Reject while the model writes stops the model.
                        review.signal.addEventListener("abort", () => controller.abort(), { once: true });
                        let lastPart = 0;
                        return await rewriteText({
                            request, text: originalText, eol, backend, signal: controller.signal,
                            onProgress: (p) => {
                                const status = partStatus(p);
                                if (p.part !== lastPart) {
                                    lastPart = p.part;
                                    progress.report({ message: status });
                                }
                                review.showPartial(p.preview, status);
                            },
                        });
                    } finally {
                        onCancel.dispose();
                    }
                },
            );
            if (!session || !result || result.cancelled || session.outcomeValue) {
                session?.finish("cancelled");
                return { status: "cancelled", reviewId: session?.id };
            }
            const notes: string[] = [];
            if (result.parts > 1) notes.push(t("The selection was longer than the model's context, so Hearth polished it in {0} parts.", result.parts));
            if (result.truncatedParts.length) notes.push(truncationNote(result.truncatedParts, result.parts));
            session.setVersion(result.text, notes.join(" "));
            if (notes.length) void vscode.window.showInformationMessage(`Hearth: ${notes.join(" ")}`);
            return { status: "ready", text: result.text, parts: result.parts, reviewId: session.id };
        } catch (err) {
            if (session?.outcomeValue || controller.signal.aborted) return { status: "cancelled", reviewId: session?.id };
            const message = errorText(err);
            session?.fail(message);
            this.services.log.error(`polish failed: ${message}`);
            void handleEngineError(err);
            return { status: "error", reviewId: session?.id, message };
        }
    }

    /** Refine rewrites the version on screen again with the user's instruction ("make it shorter"). */
    private refineHandler(request: PolishRequest, originalText: string, eol: "\n" | "\r\n"): RefineHandler {
        return async (instruction, lastVersion, stream) => {
            try {
                const result = await vscode.window.withProgress(
                    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t("Hearth: refining") },
                    async () => rewriteText({
                        request, text: lastVersion, eol, signal: stream.signal,
                        refine: { instruction, originalText },
                        backend: await rewriteBackend(this.services.backend, stream.signal),
                        onProgress: (p) => stream.showPartial(p.preview, partStatus(p)),
                    }),
                );
                return result.cancelled ? undefined : result.text;
            } catch (err) {
                void handleEngineError(err);
                throw err;
            }
        };
    }

    private async target(args: PolishArgs): Promise<{ document: vscode.TextDocument; range: vscode.Range } | undefined> {
        if (args.uri) {
            const document = await vscode.workspace.openTextDocument(args.uri);
            const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
            const range = args.range ?? editor?.selection;
            return range && !range.isEmpty ? { document, range } : undefined;
        }
        const editor = vscode.window.activeTextEditor;
        if (!editor) return undefined;
        const range = args.range ?? editor.selection;
        return range.isEmpty ? undefined : { document: editor.document, range };
    }
}

/** Which parts of the rewrite stopped at the token limit, in words ("Parts 2 and 3 of 5 …"). */
function truncationNote(truncated: readonly number[], parts: number): string {
    const t = vscode.l10n.t;
    if (parts === 1) return t("The rewrite reached the model's token limit and may be cut short at the end.");
    if (truncated.length === 1) return t("Part {0} of {1} reached the model's token limit and may be cut short at its end.", truncated[0]!, parts);
    return t("Parts {0} and {1} of {2} reached the model's token limit and may be cut short at their ends.",
        truncated.slice(0, -1).join(", "), truncated.at(-1)!, parts);
}

function partStatus(p: RewriteProgress): string {
    return p.parts > 1
        ? vscode.l10n.t("Polishing part {0} of {1}…", p.part, p.parts)
        : vscode.l10n.t("Polishing…");
}
