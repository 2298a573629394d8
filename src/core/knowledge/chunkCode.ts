/**
 * Code chunking at declaration boundaries, for any language without a parser: a top-level line that starts a
 * declaration (function, class, def, fn, struct, impl, export …, or a C-style definition) begins a unit, together
 * with the comments and decorators right above it. Small units (imports, constants) are merged up to the chunk size;
 * a unit too large (a long class) is cut at its nested declarations, then at blank lines.
 */
import { splitLines } from "./chunkProse";
import { CHUNK_MAX_TOKENS, CHUNK_TARGET_TOKENS, type TextChunk } from "./chunkTypes";
import { estimateTokens } from "./tokenize";

const MODIFIERS = String.raw`(?:(?:export|default|async|public|private|protected|internal|static|abstract|final|sealed|open|override|virtual|inline|unsafe|extern|const|pub(?:\([\w:]+\))?|declare|partial|readonly)\s+)*`;
const KEYWORDS = String.raw`(?:function\*?|class|interface|type|enum|const|let|var|def|async\s+def|fn|func|struct|impl|trait|mod|module|namespace|object|val|fun|sub|record|union|typedef|template|macro_rules!|local\s+function|defmodule|defp?|CREATE|create)`;
const DECLARATION = new RegExp(String.raw`^${MODIFIERS}${KEYWORDS}\b`);
/** `int main(void) {`, `static char *name(int x)`, `std::string Foo::bar() const {` */
const C_DEFINITION = /^[A-Za-z_][\w:<>,*&\s]*[\s*&]+[A-Za-z_][\w:~]*\s*\([^;]*$/;
const COMMENT_OR_DECORATOR = /^\s*(\/\/|\/\*|\*|#(?![!\w]*\s*(include|define|if|endif|else|pragma))|--|;;|@\w|\[\w|"""|''')/;
const CLOSER = /^\s*[}\])]/;

interface Unit {
    start: number; // 0-based line index
    end: number; // exclusive
}

function indentOf(line: string): number {
    const m = /^[ \t]*/.exec(line)![0];
    return m.replace(/\t/g, "    ").length;
}

function isDeclaration(line: string, indent: number): boolean {
    if (line.trim() === "" || indentOf(line) !== indent || CLOSER.test(line)) return false;
    const body = line.trimStart();
    return DECLARATION.test(body) || C_DEFINITION.test(body);
}

/** Start lines of units at `indent` within [from, to): declarations, moved up over their comments/decorators. */
function unitStarts(lines: string[], from: number, to: number, indent: number): number[] {
    const starts: number[] = [];
    for (let i = from; i < to; i++) {
        if (!isDeclaration(lines[i]!, indent)) continue;
        let start = i;
        while (start - 1 >= from && lines[start - 1]!.trim() !== "" && COMMENT_OR_DECORATOR.test(lines[start - 1]!) && indentOf(lines[start - 1]!) === indent) start--;
        if (starts.length === 0 || start > starts[starts.length - 1]!) starts.push(start);
    }
    return starts;
}

function tokensOf(lines: string[], unit: Unit): number {
    return estimateTokens(lines.slice(unit.start, unit.end).join("\n"));
}

/** Cuts a unit that is too large: at declarations one level in, then at blank lines, then every N lines. */
function splitUnit(lines: string[], unit: Unit): Unit[] {
    if (tokensOf(lines, unit) <= CHUNK_MAX_TOKENS || unit.end - unit.start <= 1) return [unit];
    // Look inside the declaration: past its comments/decorators and its first line.
    let head = unit.start;
    while (head < unit.end - 1 && (lines[head]!.trim() === "" || COMMENT_OR_DECORATOR.test(lines[head]!))) head++;
    const base = indentOf(lines[head]!);
    let inner = Infinity;
    for (let i = head + 1; i < unit.end; i++) {
        const line = lines[i]!;
        if (line.trim() !== "" && !CLOSER.test(line) && indentOf(line) > base) inner = Math.min(inner, indentOf(line));
    }
    const starts = Number.isFinite(inner) ? unitStarts(lines, head + 1, unit.end, inner) : [];
    if (starts.length === 0) {
        for (let i = head + 1; i < unit.end; i++) if (lines[i - 1]!.trim() === "" && lines[i]!.trim() !== "") starts.push(i);
    }
    if (starts.length === 0) {
        const step = Math.max(1, Math.floor((unit.end - unit.start) * CHUNK_TARGET_TOKENS / tokensOf(lines, unit)));
        for (let i = unit.start + step; i < unit.end; i += step) starts.push(i);
    }
    const pieces = toUnits([unit.start, ...starts.filter((s) => s > unit.start)], unit.end);
    return pieces.flatMap((p) => (p.start === unit.start && p.end === unit.end ? [p] : splitUnit(lines, p)));
}

function toUnits(starts: number[], end: number): Unit[] {
    return starts.map((start, i) => ({ start, end: starts[i + 1] ?? end }));
}

function signature(line: string): string {
    const trimmed = line.trim().replace(/\s*[{:]\s*$/, "");
    return trimmed.length > 100 ? `${trimmed.slice(0, 99)}…` : trimmed;
}

/**
 * What a chunk is about: its first top-level declaration, or, for a piece cut out of a large declaration, that
 * enclosing declaration and the first nested one ("class Store › get(key)").
 */
function headingOf(lines: string[], start: number, end: number): string | undefined {
    let own: string | undefined;
    for (let i = start; i < end && own === undefined; i++) {
        const line = lines[i]!;
        if (line.trim() && !COMMENT_OR_DECORATOR.test(line) && isDeclaration(line, indentOf(line))) own = line;
    }
    if (own !== undefined && indentOf(own) === 0) return signature(own);
    // Inside a larger declaration: find the enclosing top-level one above the chunk.
    for (let i = start - 1; i >= 0; i--) {
        const line = lines[i]!;
        if (line.trim() && indentOf(line) === 0 && !CLOSER.test(line) && isDeclaration(line, 0)) {
            return own !== undefined ? `${signature(line)} › ${signature(own)}` : signature(line);
        }
        if (line.trim() && indentOf(line) === 0 && CLOSER.test(line)) break;
    }
    return own !== undefined ? signature(own) : undefined;
}

export function chunkCode(text: string): TextChunk[] {
    const lines = splitLines(text);
    const starts = unitStarts(lines, 0, lines.length, 0);
    const units = toUnits([0, ...starts.filter((s) => s > 0)], lines.length).flatMap((u) => splitUnit(lines, u));
    // Merge neighbours up to the target size (imports, small constants and one-line functions go together).
    const merged: Unit[] = [];
    let tokens = 0;
    for (const unit of units) {
        const t = tokensOf(lines, unit);
        const last = merged[merged.length - 1];
        if (last && tokens + t <= CHUNK_TARGET_TOKENS) {
            last.end = unit.end;
            tokens += t;
        } else {
            merged.push({ ...unit });
            tokens = t;
        }
    }
    const chunks: TextChunk[] = [];
    for (const unit of merged) {
        // Trim blank lines at both ends so the cited range starts on code.
        let { start, end } = unit;
        while (start < end && lines[start]!.trim() === "") start++;
        while (end > start && lines[end - 1]!.trim() === "") end--;
        if (start === end) continue;
        const heading = headingOf(lines, start, end);
        chunks.push({ text: lines.slice(start, end).join("\n"), startLine: start + 1, endLine: end, ...(heading ? { heading } : {}) });
    }
    return chunks;
}
