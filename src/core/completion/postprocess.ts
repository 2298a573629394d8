/**
 * Quality rules applied to raw model output before it becomes ghost text. They run on every streamed chunk too:
 * once a rule cuts the text (`complete`), nothing the model adds later can survive, so generation is stopped early.
 *
 * - mid-line (text after the cursor on its line) and prose: one line only;
 * - no suggestion that merely repeats the text after the cursor, and no trailing copy of the rest of the line;
 * - multi-line code: stop at a line indented less than the cursor's line (the block ended; the suffix closes it),
 *   at the first blank line after a complete block, and where the model starts re-typing the suffix's next line;
 *   then trim to balanced brackets.
 */
import type { CompletionMode } from "./promptLayout";

export interface SuggestionContext {
    currentLinePrefix: string;
    /** The cursor's line after the cursor. */
    lineSuffix: string;
    /** Text after the cursor's line (at least its first lines). */
    followingText: string;
    mode: CompletionMode;
}

export interface ProcessedSuggestion {
    text: string;
    /** A rule cut the text: generating more cannot change the suggestion. */
    complete: boolean;
}

const OPENERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const CLOSERS = new Set([")", "]", "}"]);

/**
 * @param final false while streaming: the last (unfinished) line is kept as is and line rules only judge
 *   finished lines, so a half-generated line is never mistaken for a blank or dedented one.
 */
export function processSuggestion(raw: string, ctx: SuggestionContext, final = true): ProcessedSuggestion {
    let text = raw.replace(/\r\n/g, "\n");
    let complete = false;

    const singleLine = ctx.mode === "prose" || ctx.lineSuffix.trim().length > 0;
    if (singleLine) {
        const nl = text.indexOf("\n");
        // An empty current line in prose may start with a newline: then the next line is the suggestion's line.
        if (nl >= 0) {
            text = text.slice(0, nl);
            complete = true;
        }
        if (!complete && !final) return { text, complete };
        text = stripLineSuffixOverlap(text.trimEnd(), ctx.lineSuffix);
    } else {
        const cut = cutMultiLine(text, ctx, final);
        text = cut.text;
        complete = cut.complete;
        if (!complete && !final) return { text, complete };
        text = trimToBalanced(text, ctx);
    }

    text = text.replace(/[ \t]+$/g, "").replace(/\n+$/, "");
    if (!text.trim() || repeatsTextAfterCursor(text, ctx)) return { text: "", complete };
    return { text, complete };
}

/** True when the suggestion only re-types what already follows the cursor (whitespace-insensitive). */
export function repeatsTextAfterCursor(suggestion: string, ctx: Pick<SuggestionContext, "lineSuffix" | "followingText">): boolean {
    const norm = (s: string) => s.replace(/\s+/g, " ").trim();
    const s = norm(suggestion);
    if (!s) return true;
    const after = norm(`${ctx.lineSuffix}\n${ctx.followingText}`);
    return after.startsWith(s);
}

/** `foo(|)` + model "a, b)" → "a, b": drop a trailing copy of the rest of the line (or of its closing run). */
export function stripLineSuffixOverlap(text: string, lineSuffix: string): string {
    const rest = lineSuffix.trim();
    if (!rest) return text;
    for (let k = rest.length; k > 0; k--) {
        const head = rest.slice(0, k);
        if (!text.endsWith(head)) continue;
        if (k === rest.length || /^[)\]}>"'`;,]+$/.test(head)) return text.slice(0, text.length - k).trimEnd() || text.slice(0, text.length - k);
    }
    return text;
}

function indentOf(line: string): number {
    const m = /^[ \t]*/.exec(line)![0];
    let width = 0;
    for (const ch of m) width += ch === "\t" ? 4 : 1;
    return width;
}

function cutMultiLine(text: string, ctx: SuggestionContext, final: boolean): ProcessedSuggestion {
    const lines = text.split("\n");
    const judged = final ? lines.length : lines.length - 1;
    // The cursor's line counts from its indentation; a cursor on a blank line counts where the cursor is.
    const baseIndent = ctx.currentLinePrefix.trim() ? indentOf(ctx.currentLinePrefix) : indentOf(ctx.currentLinePrefix + "x");
    const nextSuffixLine = ctx.followingText.split("\n").find((l) => l.trim())?.trim();
    const opensBlock = /[{([:]\s*$/.test(ctx.currentLinePrefix + (lines[0] ?? ""));

    // Brackets the cursor's line left open belong to the suggestion's block (`function f() {|`).
    let depth = Math.max(0, bracketDelta(ctx.currentLinePrefix));
    let sawContent = (ctx.currentLinePrefix + (lines[0] ?? "")).trim().length > 0;
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (i > 0 && i < judged) {
            const cutHere = (): ProcessedSuggestion => ({ text: lines.slice(0, i).join("\n"), complete: true });
            if (!line.trim()) {
                if (sawContent && depth <= 0) return cutHere();
            } else {
                const indent = indentOf(line);
                const closesOwnBlock = depth > 0 && CLOSERS.has(line.trim()[0] ?? "");
                if (indent < baseIndent && !closesOwnBlock) return cutHere();
                if (indent === baseIndent && depth <= 0 && !opensBlock && CLOSERS.has(line.trim()[0] ?? "")) return cutHere();
                if (nextSuffixLine && line.trim() === nextSuffixLine && depth <= 0) return cutHere();
                sawContent = true;
            }
        }
        depth += bracketDelta(line);
    }
    return { text, complete: false };
}

/**
 * A multi-line suggestion that ends with brackets still open (cut by the token or time budget) is trimmed back to
 * the last line end where everything it opened was closed; if there is none, only its first line is kept.
 */
export function trimToBalanced(text: string, ctx: Pick<SuggestionContext, "mode">): string {
    if (ctx.mode !== "code" || !text.includes("\n")) return text;
    const lines = text.split("\n");
    let depth = 0;
    let lastBalanced = -1;
    for (let i = 0; i < lines.length; i++) {
        depth += bracketDelta(lines[i]!);
        if (depth <= 0) lastBalanced = i;
    }
    if (depth <= 0) return text;
    if (lastBalanced >= 1) return lines.slice(0, lastBalanced + 1).join("\n");
    return lines[0]!;
}

/** Net brackets opened on a line, ignoring those inside simple string literals and line comments. */
export function bracketDelta(line: string): number {
    let delta = 0;
    let quote: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i]!;
        if (quote) {
            if (ch === "\\") i++;
            else if (ch === quote) quote = undefined;
            continue;
        }
        if (ch === '"' || ch === "'" || ch === "`") quote = ch;
        else if (ch === "/" && line[i + 1] === "/") break;
        else if (ch in OPENERS) delta++;
        else if (CLOSERS.has(ch)) delta--;
    }
    return delta;
}
