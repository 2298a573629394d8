/**
 * What Polish asks the model, per kind. Every prompt asks for the rewritten text only; cleanRewrite.ts enforces
 * it afterwards. Code gets its own wording: "improve" must keep behaviour, and the prose kinds only touch
 * comments and strings when the selection is code.
 */
import type { ChatMessage } from "../../protocol/generation";

export const POLISH_KINDS = ["improve", "grammar", "shorter", "formal", "casual", "toEnglish", "toChinese", "custom"] as const;
export type PolishKind = (typeof POLISH_KINDS)[number];

export function isPolishKind(value: unknown): value is PolishKind {
    return typeof value === "string" && (POLISH_KINDS as readonly string[]).includes(value);
}

export interface PolishRequest {
    kind: PolishKind;
    /** VS Code language id of the document ("markdown", "plaintext", "typescript"...). */
    languageId: string;
    /** The user's own instruction for kind "custom". */
    customInstruction?: string;
}

const PROSE_LANGUAGES = new Set([
    "markdown", "plaintext", "latex", "tex", "bibtex", "restructuredtext", "asciidoc", "org", "git-commit",
    "git-rebase", "html", "mdx", "typst", "text", "scminput",
]);

export function isProseLanguage(languageId: string): boolean {
    return PROSE_LANGUAGES.has(languageId);
}

/** Sampling for rewrites: low temperature keeps the meaning; a fixed seed keeps Refine reproducible. */
export const POLISH_TEMPERATURE = 0.2;

export function polishInstruction(request: PolishRequest): string {
    const code = !isProseLanguage(request.languageId);
    switch (request.kind) {
        case "improve":
            return code
                ? `Improve this ${request.languageId} code: make it clearer and more idiomatic while keeping exactly the same behaviour, names of public symbols and formatting style.`
                : "Improve the writing of this text: make it clearer and more fluent, keeping its meaning, tone and language.";
        case "grammar":
            return "Fix the grammar, spelling and punctuation of this text. Change nothing else.";
        case "shorter":
            return "Make this text shorter and more concise, keeping every important point.";
        case "formal":
            return "Rewrite this text in a more formal, professional tone, keeping its meaning.";
        case "casual":
            return "Rewrite this text in a more casual, friendly tone, keeping its meaning.";
        case "toEnglish":
            return "Translate this text into natural, fluent English.";
        case "toChinese":
            return "Translate this text into natural, fluent Simplified Chinese (简体中文).";
        case "custom":
            return (request.customInstruction ?? "").trim() || "Improve this text.";
    }
}

export function polishSystemPrompt(request: PolishRequest): string {
    const code = !isProseLanguage(request.languageId);
    const rules = [
        "You are a careful editor working inside a text editor.",
        "You receive an instruction and a text between <text> and </text>.",
        "Reply with the rewritten text only: no introduction, no explanation, no notes, no quotes around it, and no <text> tags.",
        "Do not wrap the answer in code fences unless the original text has them.",
        "Keep the original language unless the instruction asks for a translation.",
        "Keep markdown, LaTeX and other markup, links, placeholders and line breaks between paragraphs.",
    ];
    if (code) {
        rules.push(
            `The text comes from a ${request.languageId} file.`,
            request.kind === "improve"
                ? "It is code: keep its behaviour exactly; keep comment markers and indentation."
                : request.kind === "custom"
                    ? "Follow the instruction; keep comment markers, indentation and everything the instruction does not ask to change."
                    : "If it contains code, change only comments and string contents; keep the code, comment markers and indentation as they are.",
        );
    }
    return rules.join(" ");
}

export function buildPolishMessages(request: PolishRequest, text: string): ChatMessage[] {
    return [
        { role: "system", text: polishSystemPrompt(request) },
        { role: "user", text: `${polishInstruction(request)}\n\n<text>\n${text}\n</text>` },
    ];
}

/**
 * Refine rewrites the LAST version again: the conversation so far (original request, previous answer) plus the
 * user's new instruction, so "shorter" applies to what the user is looking at, not to the original.
 */
export function buildRefineMessages(request: PolishRequest, originalText: string, previousVersion: string, instruction: string): ChatMessage[] {
    return [
        ...buildPolishMessages(request, originalText),
        { role: "assistant", text: previousVersion },
        { role: "user", text: `${instruction.trim()}\n\nApply this to your last version and reply with the complete rewritten text only.` },
    ];
}

/** Refine of a long text, piece by piece: no history, the previous version's piece is the text to rewrite. */
export function buildRefinePieceMessages(request: PolishRequest, previousPiece: string, instruction: string): ChatMessage[] {
    return buildPolishMessages({ ...request, kind: "custom", customInstruction: instruction }, previousPiece);
}

/** Short human label of a kind, in English (the host translates it). */
export function polishKindLabel(kind: PolishKind): string {
    const labels: Record<PolishKind, string> = {
        improve: "Improve Writing",
        grammar: "Fix Grammar and Spelling",
        shorter: "Make Shorter",
        formal: "Make More Formal",
        casual: "Make More Casual",
        toEnglish: "Translate to English",
        toChinese: "Translate to Chinese",
        custom: "Custom Instruction",
    };
    return labels[kind];
}
