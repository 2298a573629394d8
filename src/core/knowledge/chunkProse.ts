/**
 * Prose chunking: chunks end at paragraph boundaries and a heading always starts a new chunk, so a chunk is about
 * one thing and its citation lands on its heading or first paragraph. Paragraphs longer than a chunk are cut at
 * sentence ends (。！？ as well as . ! ?), and only as a last resort inside a sentence.
 */
import { estimateTokens } from "./tokenize";
import { CHUNK_MAX_TOKENS, CHUNK_TARGET_TOKENS, type TextChunk } from "./chunkTypes";

interface Block {
    lines: string[];
    startLine: number;
    /** Heading level 1–6 when the block is a heading. */
    headingLevel?: number;
    headingText?: string;
}

const ATX_HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;
/** Chapter lines of plain-text books (Project Gutenberg, Chinese novels), when they stand alone. */
const PLAIN_HEADING = /^\s*((chapter|book|part|section|canto|act|scene)\s+[\divxlc]+\b.*|第[\d一二三四五六七八九十百千零〇]+[章回节節卷篇部].*)$/i;

export function splitLines(text: string): string[] {
    return text.split(/\r\n|\r|\n/);
}

function toBlocks(lines: string[], lineOffset: number): Block[] {
    const blocks: Block[] = [];
    let current: Block | undefined;
    let inFence = false;
    const flush = (): void => {
        if (current) blocks.push(current);
        current = undefined;
    };
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        const lineNo = i + 1 + lineOffset;
        if (FENCE.test(line)) {
            if (!inFence) flush();
            inFence = !inFence;
            (current ??= { lines: [], startLine: lineNo }).lines.push(line);
            if (!inFence) flush();
            continue;
        }
        if (inFence) {
            (current ??= { lines: [], startLine: lineNo }).lines.push(line);
            continue;
        }
        if (line.trim() === "") {
            flush();
            continue;
        }
        const atx = ATX_HEADING.exec(line);
        if (atx) {
            flush();
            blocks.push({ lines: [line], startLine: lineNo, headingLevel: atx[1]!.length, headingText: atx[2] });
            continue;
        }
        const setext = SETEXT_UNDERLINE.exec(line);
        if (setext && current?.lines.length === 1) {
            current.lines.push(line);
            current.headingLevel = setext[1]!.startsWith("=") ? 1 : 2;
            current.headingText = current.lines[0]!.trim();
            flush();
            continue;
        }
        (current ??= { lines: [], startLine: lineNo }).lines.push(line);
    }
    flush();
    // A short paragraph of one line that reads like "CHAPTER IV." or "第三回 …" is a heading too.
    for (const block of blocks) {
        if (block.headingLevel === undefined && block.lines.length === 1 && block.lines[0]!.length <= 80 && PLAIN_HEADING.test(block.lines[0]!)) {
            block.headingLevel = 1;
            block.headingText = block.lines[0]!.trim();
        }
    }
    return blocks;
}

/** Cuts one long line into sentence-sized pieces no longer than the maximum. */
function splitLongLine(line: string): string[] {
    const sentences = line.match(/[^。！？!?.]*(?:[。！？!?]+[”’"'」』）)]*|\.+(?=\s|$)[”’"')]*|$)\s*/gu)?.filter((s) => s.length > 0) ?? [line];
    const pieces: string[] = [];
    let piece = "";
    for (const sentence of sentences) {
        if (piece && estimateTokens(piece + sentence) > CHUNK_TARGET_TOKENS) {
            pieces.push(piece);
            piece = "";
        }
        piece += sentence;
        while (estimateTokens(piece) > CHUNK_MAX_TOKENS) {
            // No sentence end within the limit: cut at a space near the limit, or anywhere for CJK.
            const cut = hardCut(piece);
            pieces.push(piece.slice(0, cut));
            piece = piece.slice(cut);
        }
    }
    if (piece) pieces.push(piece);
    return pieces;
}

function hardCut(text: string): number {
    let tokens = 0;
    let i = 0;
    for (const ch of text) {
        tokens += /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(ch) ? 1 : 0.25;
        i += ch.length;
        if (tokens >= CHUNK_TARGET_TOKENS) break;
    }
    const space = text.lastIndexOf(" ", i);
    return space > i / 2 ? space + 1 : i;
}

interface Piece {
    text: string;
    startLine: number;
    endLine: number;
}

/** Splits a block longer than the maximum into pieces, by lines first, then by sentences (a long line's pieces all
 * cite that line). */
function splitBlock(block: Block): Piece[] {
    const pieces: Piece[] = [];
    let current: Piece | undefined;
    block.lines.forEach((line, i) => {
        const lineNo = block.startLine + i;
        const parts = estimateTokens(line) > CHUNK_MAX_TOKENS ? splitLongLine(line) : [line];
        for (const part of parts) {
            if (current && estimateTokens(current.text + part) > CHUNK_TARGET_TOKENS) {
                pieces.push(current);
                current = undefined;
            }
            if (current) {
                current.text += current.endLine === lineNo ? part : `\n${part}`;
                current.endLine = lineNo;
            } else {
                current = { text: part, startLine: lineNo, endLine: lineNo };
            }
        }
    });
    if (current) pieces.push(current);
    return pieces;
}

/**
 * Chunks prose. `lineOffset` shifts the line numbers (text that starts further down a file); `page` is copied into
 * every chunk (PDF pages are chunked one by one).
 */
export function chunkProse(text: string, options: { lineOffset?: number; page?: number } = {}): TextChunk[] {
    const blocks = toBlocks(splitLines(text), options.lineOffset ?? 0);
    const chunks: TextChunk[] = [];
    const headings: string[] = [];
    let current: { texts: string[]; startLine: number; endLine: number; tokens: number; heading?: string } | undefined;
    const flush = (): void => {
        if (current) {
            chunks.push({
                text: current.texts.join("\n\n"), startLine: current.startLine, endLine: current.endLine,
                ...(current.heading ? { heading: current.heading } : {}), ...(options.page ? { page: options.page } : {}),
            });
        }
        current = undefined;
    };
    for (const block of blocks) {
        if (block.headingLevel !== undefined) {
            flush();
            headings.length = Math.min(headings.length, block.headingLevel - 1);
            headings[block.headingLevel - 1] = block.headingText ?? "";
        }
        const heading = headings.filter((h) => h).join(" › ") || undefined;
        const whole: Piece = { text: block.lines.join("\n"), startLine: block.startLine, endLine: block.startLine + block.lines.length - 1 };
        const pieces = estimateTokens(whole.text) > CHUNK_MAX_TOKENS ? splitBlock(block) : [whole];
        for (const piece of pieces) {
            const tokens = estimateTokens(piece.text);
            if (current && current.tokens + tokens > CHUNK_TARGET_TOKENS) flush();
            if (!current) current = { texts: [], startLine: piece.startLine, endLine: piece.endLine, tokens: 0, heading };
            current.texts.push(piece.text);
            current.endLine = piece.endLine;
            current.tokens += tokens;
        }
    }
    flush();
    return chunks;
}

