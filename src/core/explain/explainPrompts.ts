/**
 * Prompts for "Explain with Hearth", "Fix with Hearth" and "Explain Error". A prompt carries everything the
 * model needs to reason about a problem it cannot see: the message, who reported it (source, code), the file's
 * language and the surrounding code with line numbers, marked at the reported line.
 */
import type { ChatMessage } from "../../protocol/generation";

export interface DiagnosticInfo {
    message: string;
    /** "ts", "eslint", "Pylance"... */
    source?: string;
    code?: string | number;
    severity: "error" | "warning" | "information" | "hint";
    /** 1-based line and column of the diagnostic's start. */
    line: number;
    column: number;
    endLine: number;
}

export interface CodeContext {
    /** Workspace-relative path (or file name) shown to the model. */
    fileName: string;
    languageId: string;
    /** The surrounding code (enclosing function, or a window of lines). */
    code: string;
    /** 1-based line number of the first line of `code`. */
    startLine: number;
    /** Name of the enclosing function or class when a symbol provider gave one. */
    symbolName?: string;
}

/** Lines [start, end] (0-based, inclusive) of a window of ±`radius` lines around `line`, clamped to the file. */
export function lineWindow(line: number, lineCount: number, radius = 30): { start: number; end: number } {
    const start = Math.max(0, line - radius);
    const end = Math.min(Math.max(0, lineCount - 1), line + radius);
    return { start, end };
}

/** Code with right-aligned line numbers; the lines in [markFrom, markTo] get a ">" marker. */
export function numberLines(code: string, startLine: number, markFrom?: number, markTo = markFrom): string {
    const lines = code.replace(/\r\n/g, "\n").split("\n");
    const width = String(startLine + lines.length - 1).length;
    return lines
        .map((l, i) => {
            const n = startLine + i;
            const mark = markFrom !== undefined && markTo !== undefined && n >= markFrom && n <= markTo ? ">" : " ";
            return `${mark}${String(n).padStart(width)} | ${l}`;
        })
        .join("\n");
}

function fence(code: string): string {
    // A fence longer than any backtick run inside the code, so the code cannot close it.
    const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map((r) => r.length));
    return "`".repeat(longest + 1);
}

function describeDiagnostic(d: DiagnosticInfo): string {
    const origin = [d.source, d.code !== undefined && d.code !== "" ? String(d.code) : undefined].filter(Boolean).join(" ");
    return `${d.severity}${origin ? ` (${origin})` : ""} at line ${d.line}, column ${d.column}: ${d.message}`;
}

function codeBlock(ctx: CodeContext, markFrom?: number, markTo?: number): string {
    const numbered = numberLines(ctx.code, ctx.startLine, markFrom, markTo);
    const f = fence(numbered);
    const where = ctx.symbolName ? ` (in ${ctx.symbolName})` : "";
    return `File \`${ctx.fileName}\`${where}, ${ctx.languageId}, lines ${ctx.startLine}-${ctx.startLine + ctx.code.split("\n").length - 1}:\n${f}${ctx.languageId}\n${numbered}\n${f}`;
}

/** The chat turn for "Explain with Hearth": sent through the chat panel so the user can ask follow-ups. */
export function buildExplainDiagnosticPrompt(d: DiagnosticInfo, ctx: CodeContext): string {
    return [
        `Explain this ${d.severity} reported in a ${ctx.languageId} file, in plain words: what it means, why it happens here, and how to fix it. Show the corrected code if a fix is clear.`,
        "",
        describeDiagnostic(d),
        "",
        codeBlock(ctx, d.line, d.endLine),
        "",
        "Lines marked with > are where the problem is reported.",
    ].join("\n");
}

/** What the chat shows as the user's message for an explanation (the prompt itself is long). */
export function explainDisplayText(d: DiagnosticInfo, fileName: string): string {
    const origin = d.source ? `${d.source}: ` : "";
    return `Explain: ${origin}${truncate(d.message, 200)} (${fileName}:${d.line})`;
}

export function buildFixSystemPrompt(languageId: string): string {
    return [
        `You fix problems in ${languageId} code.`,
        "You receive a diagnostic and the code around it, without line numbers, between <code> and </code>.",
        "Reply with the complete corrected code for exactly that part: same start and end, same indentation, and change only what the fix needs.",
        "Reply with the code only: no explanation, no line numbers, no <code> tags, no code fences.",
    ].join(" ");
}

/** Chat messages for "Fix with Hearth": the answer replaces `ctx.code`, reviewed as a diff before anything changes. */
export function buildFixMessages(d: DiagnosticInfo, ctx: CodeContext): ChatMessage[] {
    const relLine = d.line - ctx.startLine + 1;
    return [
        { role: "system", text: buildFixSystemPrompt(ctx.languageId) },
        {
            role: "user",
            text: [
                `Fix this ${d.severity} in \`${ctx.fileName}\`: ${describeDiagnostic({ ...d, line: relLine, endLine: relLine })}`,
                `(line numbers counted from the first line of the code below)`,
                "",
                "<code>",
                ctx.code.replace(/\r\n/g, "\n"),
                "</code>",
            ].join("\n"),
        },
    ];
}

/** Strips the <code> tags a small model may echo back, before the general clean-up. */
export function stripCodeTags(text: string): string {
    return text.replace(/^\s*<code>\s*\n?/i, "").replace(/\n?\s*<\/code>\s*$/i, "");
}

export interface ResolvedSnippet extends CodeContext {
    /** The referenced line (1-based) inside the snippet. */
    line: number;
}

/** The chat turn for "Explain Error" on pasted error text or a stack trace, with the code its frames point at. */
export function buildExplainErrorPrompt(errorText: string, snippets: ResolvedSnippet[]): string {
    const trimmed = truncate(errorText.trim(), 6000);
    const f = fence(trimmed);
    const parts = [
        "Explain this error in plain words: what it means, the most likely cause, and how to fix it. Point to the line that is most likely at fault.",
        "",
        `${f}text\n${trimmed}\n${f}`,
    ];
    if (snippets.length) {
        parts.push("", "Code from the workspace at the locations in the trace (the referenced line is marked with >):");
        for (const s of snippets) parts.push("", codeBlock(s, s.line, s.line));
    }
    return parts.join("\n");
}

export function explainErrorDisplayText(errorText: string): string {
    const firstLines = errorText.trim().split(/\r?\n/).filter((l) => l.trim() !== "").slice(0, 2).join(" ⏎ ");
    return `Explain error: ${truncate(firstLines, 200)}`;
}

export function truncate(text: string, max: number): string {
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
