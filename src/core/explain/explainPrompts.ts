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

/** Characters of pasted error text sent at most; longer traces keep their start and their end. */
export const MAX_ERROR_CHARS = 6000;

const ERROR_NAME = /^\s*(?:Caused by: |Exception in thread "[^"]*" |Uncaught |Unhandled (?:exception|rejection): ?|thread '[^']*' )?((?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*(?:Error|Exception|Exit|Interrupt|Iteration|Warning|Fault|Panic|panicked)\b[^\n]*)$/;

/**
 * The line that says what went wrong ("ZeroDivisionError: division by zero"): the last unindented line of a Python
 * traceback (the exception comes after the frames), otherwise the first line that names an error or exception
 * (JavaScript, Java, Rust put it first), otherwise the first line of the text.
 */
export function exceptionLine(errorText: string): string | undefined {
    const lines = errorText.replace(/\r\n/g, "\n").split("\n").map((l) => l.replace(/\s+$/, ""));
    const nonEmpty = lines.filter((l) => l.trim() !== "");
    if (nonEmpty.length === 0) return undefined;
    const tb = lines.findIndex((l) => /^\s*Traceback \(most recent call last\):/.test(l));
    if (tb >= 0) {
        // Chained exceptions ("During handling of the above exception…") end with the one that was raised last.
        const after = lines.slice(tb + 1).filter((l) => l.trim() !== "" && !/^\s/.test(l) && !/^Traceback \(/.test(l)
            && !/^(?:During handling of the above exception|The above exception was the direct cause)/.test(l));
        const named = after.filter((l) => /^[A-Za-z_][\w.]*(?::|$)/.test(l));
        const last = named.at(-1) ?? after.at(-1);
        if (last) return last.trim();
    }
    for (const l of nonEmpty) {
        const m = ERROR_NAME.exec(l);
        if (m && !/^\s*at\s/.test(l)) return l.trim();
    }
    return nonEmpty[0]!.trim();
}

/**
 * The error text, at most `max` characters: a longer one keeps its start and its end (where a Python traceback says
 * what went wrong) with a note on what was left out, and never loses the exception line.
 */
export function clipErrorText(errorText: string, max = MAX_ERROR_CHARS): string {
    const text = errorText.trim();
    if (text.length <= max) return text;
    const headChars = Math.floor(max * 0.4);
    const tailChars = max - headChars - 80;
    const head = text.slice(0, headChars).replace(/\n[^\n]*$/, "");
    const tail = text.slice(text.length - tailChars).replace(/^[^\n]*\n/, "");
    const left = text.length - head.length - tail.length;
    let clipped = `${head}\n… (${left} characters of the trace left out) …\n${tail}`;
    const exception = exceptionLine(text);
    if (exception && !clipped.includes(exception)) clipped = `${exception}\n${clipped}`;
    return clipped;
}

/** The code at a trace location, as it is attached to the chat turn: numbered, the referenced line marked with >. */
export function snippetText(s: ResolvedSnippet): string {
    return numberLines(s.code, s.startLine, s.line, s.line);
}

/**
 * The chat turn for "Explain Error" on pasted error text or a stack trace. The error line is stated on its own and
 * the trace follows; the workspace code the frames point at goes with the turn as attachments (`snippets` says how
 * many), so the chat shows them as chips and the budget cuts them before the error.
 */
export function buildExplainErrorPrompt(errorText: string, snippets: number | readonly ResolvedSnippet[] = 0): string {
    const clipped = clipErrorText(errorText);
    const exception = exceptionLine(errorText);
    const f = fence(clipped);
    const count = typeof snippets === "number" ? snippets : snippets.length;
    const parts = [
        "Explain this error in plain words: what it means, the most likely cause, and how to fix it. Point to the line that is most likely at fault.",
    ];
    if (exception) parts.push("", `The error: ${exception}`);
    parts.push("", "The full error output:", `${f}text\n${clipped}\n${f}`);
    if (count > 0) parts.push("", "The attached code is from the workspace at the locations in the trace; each referenced line is marked with >.");
    if (typeof snippets !== "number") for (const s of snippets) parts.push("", codeBlock(s, s.line, s.line));
    return parts.join("\n");
}

/**
 * What the chat shows for an Explain Error turn (after "Explain error: "): the error line itself, then the first
 * workspace location the trace points at.
 */
export function explainErrorSummary(errorText: string, firstLocation?: string): string {
    const exception = exceptionLine(errorText) ?? "";
    const where = firstLocation ? ` (${firstLocation})` : "";
    return `${truncate(exception, 300)}${where}`;
}

export function truncate(text: string, max: number): string {
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
