/**
 * Splits a long selection into pieces that each fit the model's context budget, at paragraph boundaries first,
 * then lines, then sentences. Pieces keep their separators, so joining them gives back the text exactly; a fenced
 * code block is never split at its blank lines.
 */

/** Paragraphs with the blank lines after them; fenced blocks stay whole. */
export function splitParagraphs(text: string): string[] {
    const lines = text.split(/(?<=\n)/);
    const pieces: string[] = [];
    let current = "";
    let inFence: string | undefined;
    let sawBlankAfterContent = false;
    for (const line of lines) {
        const trimmed = line.trim();
        const fence = /^(`{3,}|~{3,})/.exec(trimmed)?.[1];
        if (inFence) {
            current += line;
            if (fence && trimmed.startsWith(inFence) && trimmed.replace(/[`~]/g, "") === "") inFence = undefined;
            continue;
        }
        if (trimmed === "") {
            current += line;
            if (current.trim() !== "") sawBlankAfterContent = true;
            continue;
        }
        if (sawBlankAfterContent) {
            pieces.push(current);
            current = "";
            sawBlankAfterContent = false;
        }
        current += line;
        if (fence) inFence = fence;
    }
    if (current) pieces.push(current);
    return pieces;
}

/** Lines, each with the blank lines after it (a piece of only whitespace would be a part with nothing to polish). */
export function splitLines(text: string): string[] {
    return text.split(/(?<=\n)(?=[^\n]*\S)/).filter((s) => s.length > 0);
}

/** Sentences with their trailing spaces (Latin and CJK punctuation). */
export function splitSentences(text: string): string[] {
    const parts = text.match(/[^.!?。！？；;]+(?:[.!?。！？；;]+|$)\s*/g) ?? [text];
    const joined = parts.join("");
    return joined === text ? parts.filter((p) => p.length > 0) : [text];
}

/** Last resort for a "sentence" longer than the budget: equal character slices. */
function splitEvenly(text: string, parts: number): string[] {
    const size = Math.ceil(text.length / parts);
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
    return out;
}

export type TokenCounter = (texts: string[]) => Promise<number[]>;

interface Counted {
    text: string;
    tokens: number;
}

/**
 * Groups the text into chunks of at most `budget` tokens (except a single unsplittable piece). Counts tokens with
 * the model's own tokenizer through `count`, one batch per level of splitting.
 */
export async function planChunks(text: string, budget: number, count: TokenCounter): Promise<string[]> {
    if (text.length === 0) return [];
    const [total] = await count([text]);
    if ((total ?? 0) <= budget) return [text];
    const paragraphs = splitParagraphs(text);
    const counts = await count(paragraphs);
    const chunks: string[] = [];
    let current: Counted | undefined;
    const flush = () => {
        if (current) chunks.push(current.text);
        current = undefined;
    };
    for (let i = 0; i < paragraphs.length; i++) {
        const piece: Counted = { text: paragraphs[i]!, tokens: counts[i] ?? 0 };
        if (piece.tokens > budget) {
            // An oversized paragraph becomes parts of its own, so every part boundary stays a paragraph or
            // sentence boundary and the paragraph breaks around it stay where they were.
            flush();
            chunks.push(...group(await refine([piece.text], budget, count, [splitLines, splitSentences]), budget));
            continue;
        }
        if (current && current.tokens + piece.tokens <= budget) {
            current = { text: current.text + piece.text, tokens: current.tokens + piece.tokens };
        } else {
            flush();
            current = piece;
        }
    }
    flush();
    return chunks;
}

/** Consecutive pieces merged greedily while they fit the budget. */
function group(pieces: Counted[], budget: number): string[] {
    const chunks: string[] = [];
    let current: Counted | undefined;
    for (const piece of pieces) {
        if (current && current.tokens + piece.tokens <= budget) {
            current = { text: current.text + piece.text, tokens: current.tokens + piece.tokens };
        } else {
            if (current) chunks.push(current.text);
            current = piece;
        }
    }
    if (current) chunks.push(current.text);
    return chunks;
}

async function refine(pieces: string[], budget: number, count: TokenCounter, splitters: ((s: string) => string[])[]): Promise<Counted[]> {
    const counts = await count(pieces);
    const out: Counted[] = [];
    for (let i = 0; i < pieces.length; i++) {
        const text = pieces[i]!;
        const tokens = counts[i] ?? 0;
        if (tokens <= budget) {
            out.push({ text, tokens });
            continue;
        }
        const [split, ...deeper] = splitters;
        const smaller = split ? split(text) : splitEvenly(text, Math.ceil(tokens / budget) + 1);
        if (smaller.length <= 1 && !split) {
            out.push({ text, tokens });
            continue;
        }
        // A splitter that finds no boundary hands the piece on to the next, finer one.
        out.push(...(await refine(smaller, budget, count, deeper)));
    }
    return out;
}
