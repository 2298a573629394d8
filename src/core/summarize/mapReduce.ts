/**
 * Summarises a document far larger than the model's context by map-reduce: the document's sections are packed into
 * parts that fit the context, each part is summarised (map), and the partial summaries are combined in batches that
 * fit, round after round, until one summary remains (reduce). No single request exceeds the context: every prompt is
 * counted with the model's tokenizer before it is sent, and the answer's room is reserved inside the context.
 *
 * Section labels ("p. 12", "lines 40–88") travel with the parts and the partial summaries, so the final summary can
 * point back into the document. Free of `vscode`; the host supplies the backend (see src/review/rewriteBackend.ts).
 */
import type { ChatMessage } from "../../protocol/generation";
import type { KnowledgeChunk } from "../../protocol/knowledge";
import { MESSAGE_OVERHEAD_TOKENS, safetyMargin } from "../chat/budget";
import { detectLanguage, type PromptLanguage } from "../chat/systemPrompt";
import type { RewriteBackend } from "../polish/rewritePipeline";
import { planChunks } from "../polish/splitText";
import { mapMessages, reduceMessages, stripThinking } from "./summaryPrompts";

export interface DocumentSection {
    text: string;
    /** Where the text is in the document, for references: "p. 12", "lines 40–88". */
    label?: string;
}

export interface SummarizeProgress {
    phase: "map" | "reduce";
    /** Requests finished in this phase (reduce: in this round). */
    done: number;
    total: number;
    /** Reduce round, from 1. */
    round: number;
}

export interface SummarizeOptions {
    title: string;
    sections: readonly DocumentSection[];
    backend: RewriteBackend;
    /** Language of the summary; by default the document's (Chinese or English). */
    language?: PromptLanguage;
    signal?: AbortSignal;
    onProgress?(progress: SummarizeProgress): void;
    /** Room for each answer; by default `answerRoom(contextSize)`. Tests on tiny models use less to stay quick. */
    answerTokens?: number;
}

export interface SummarizeResult {
    summary: string;
    cancelled: boolean;
    /** Model requests made, map and reduce. */
    requests: number;
    reduceRounds: number;
    /** The largest request: prompt tokens (counted) + the answer's room. Never above the context size. */
    largestRequestTokens: number;
}

interface Part {
    text: string;
    labels: string[];
    tokens: number;
}

/** How much of the context the answer of one request may take: enough for a useful summary, never most of it. */
export function answerRoom(contextSize: number): number {
    return Math.max(64, Math.min(768, Math.floor(contextSize * 0.2)));
}

export async function summarizeDocument(o: SummarizeOptions): Promise<SummarizeResult> {
    const { backend } = o;
    const language = o.language ?? detectLanguage(o.sections.slice(0, 20).map((s) => s.text).join("\n").slice(0, 4000));
    const count = (texts: string[]) => backend.countTokens(texts);
    const answer = Math.max(16, Math.min(o.answerTokens ?? answerRoom(backend.contextSize), answerRoom(backend.contextSize)));
    // What the instructions and the chat template take, measured on the longest form of each prompt.
    const [mapOverhead = 0, reduceOverhead = 0] = await count([
        messagesText(mapMessages(o.title, language, "", 999, 999, "p. 9999")),
        messagesText(reduceMessages(o.title, language, [], true)),
    ]);
    const fixed = 3 * MESSAGE_OVERHEAD_TOKENS + safetyMargin(backend.contextSize);
    const mapBudget = backend.contextSize - answer - fixed - mapOverhead;
    const reduceBudget = backend.contextSize - answer - fixed - reduceOverhead;
    // A partial summary is at most `answer` tokens plus its label: two must fit one reduce request, or rounds stall.
    if (mapBudget < 64 || reduceBudget < 2 * (answer + 2 * MESSAGE_OVERHEAD_TOKENS)) {
        throw new Error(`The model's context (${backend.contextSize} tokens) is too small to summarise a document; raise “hearth.contextSize”.`);
    }
    const result: SummarizeResult = { summary: "", cancelled: false, requests: 0, reduceRounds: 0, largestRequestTokens: 0 };
    const ask = async (messages: ChatMessage[], prompt: number): Promise<string | undefined> => {
        const promptTokens = prompt + fixed - safetyMargin(backend.contextSize);
        result.largestRequestTokens = Math.max(result.largestRequestTokens, promptTokens + answer);
        result.requests++;
        const r = await backend.chat(messages, answer, () => undefined, o.signal);
        if (r.stopReason === "cancelled" || o.signal?.aborted) return undefined;
        return stripThinking(r.text).trim();
    };

    // Map: every part of the document, in order.
    const parts = await packSections(o.sections, mapBudget, count);
    let partials: Part[] = [];
    for (let i = 0; i < parts.length; i++) {
        o.onProgress?.({ phase: "map", done: i, total: parts.length, round: 0 });
        const part = parts[i]!;
        const label = rangeLabel(part.labels);
        const text = await ask(mapMessages(o.title, language, part.text, i + 1, parts.length, label), part.tokens + mapOverhead);
        if (text === undefined) return { ...result, cancelled: true };
        partials.push({ text: label ? `[${label}] ${text}` : text, labels: part.labels, tokens: 0 });
    }
    o.onProgress?.({ phase: "map", done: parts.length, total: parts.length, round: 0 });

    // Reduce: batches that fit, until one summary is left (a single partial still gets the final shape).
    let round = 0;
    while (partials.length > 1 || round === 0) {
        round++;
        const counts = await count(partials.map((p) => p.text));
        partials.forEach((p, i) => (p.tokens = counts[i] ?? 0));
        const batches = groupWithin(partials, reduceBudget);
        if (batches.length > 1 && batches.length === partials.length) {
            throw new Error("The partial summaries are too long to combine within the context; raise “hearth.contextSize”.");
        }
        const final = batches.length === 1;
        const next: Part[] = [];
        for (let b = 0; b < batches.length; b++) {
            o.onProgress?.({ phase: "reduce", done: b, total: batches.length, round });
            const batch = batches[b]!;
            const tokens = batch.reduce((n, p) => n + p.tokens + MESSAGE_OVERHEAD_TOKENS, 0);
            const text = await ask(reduceMessages(o.title, language, batch.map((p) => p.text), final), tokens + reduceOverhead);
            if (text === undefined) return { ...result, reduceRounds: round, cancelled: true };
            const labels = batch.flatMap((p) => p.labels);
            const label = rangeLabel(labels);
            next.push({ text: final || !label ? text : `[${label}] ${text}`, labels, tokens: 0 });
        }
        o.onProgress?.({ phase: "reduce", done: batches.length, total: batches.length, round });
        partials = next;
        if (final) break;
    }
    return { ...result, summary: partials[0]?.text ?? "", reduceRounds: round };
}

/** A document's chunks as sections: PDF pages and line ranges become the references ([p. 12], [lines 40–88]). */
export function sectionsFromChunks(chunks: readonly KnowledgeChunk[]): DocumentSection[] {
    return chunks.map((c) => ({
        text: c.text,
        label: c.page !== undefined ? `p. ${c.page}` : c.startLine === c.endLine ? `line ${c.startLine}` : `lines ${c.startLine}–${c.endLine}`,
    }));
}

/** Packs consecutive sections into parts of at most `budget` tokens; a section too long alone is split. */
async function packSections(sections: readonly DocumentSection[], budget: number, count: (t: string[]) => Promise<number[]>): Promise<Part[]> {
    const nonEmpty = sections.filter((s) => s.text.trim());
    const counts = await count(nonEmpty.map((s) => s.text));
    const pieces: Part[] = [];
    for (let i = 0; i < nonEmpty.length; i++) {
        const s = nonEmpty[i]!;
        const tokens = counts[i] ?? 0;
        if (tokens <= budget) {
            pieces.push({ text: s.text, labels: s.label ? [s.label] : [], tokens });
            continue;
        }
        const chunks = await planChunks(s.text, budget, count);
        const chunkCounts = await count(chunks);
        chunks.forEach((c, j) => pieces.push({ text: c, labels: s.label ? [s.label] : [], tokens: chunkCounts[j] ?? 0 }));
    }
    const separator = MESSAGE_OVERHEAD_TOKENS;
    const parts: Part[] = [];
    for (const p of pieces) {
        const last = parts.at(-1);
        if (last && last.tokens + separator + p.tokens <= budget) {
            last.text += `\n\n${p.text}`;
            last.tokens += separator + p.tokens;
            for (const l of p.labels) if (!last.labels.includes(l)) last.labels.push(l);
        } else {
            parts.push({ ...p, labels: [...p.labels] });
        }
    }
    return parts;
}

/** Consecutive partial summaries in batches of at most `budget` tokens (each batch at least one). */
function groupWithin(partials: readonly Part[], budget: number): Part[][] {
    const batches: Part[][] = [];
    let used = 0;
    for (const p of partials) {
        const cost = p.tokens + MESSAGE_OVERHEAD_TOKENS;
        const last = batches.at(-1);
        if (last && used + cost <= budget) {
            last.push(p);
            used += cost;
        } else {
            batches.push([p]);
            used = cost;
        }
    }
    return batches;
}

/** ["p. 3", "p. 4", "p. 5"] → "p. 3–5"; other labels: first–last. */
export function rangeLabel(labels: readonly string[]): string {
    if (labels.length === 0) return "";
    const first = labels[0]!;
    const last = labels.at(-1)!;
    if (first === last) return first;
    const a = /^p\. (\d+)$/.exec(first);
    const b = /^p\. (\d+)$/.exec(last);
    if (a && b) return `p. ${a[1]}–${b[1]}`;
    return `${first} – ${last}`;
}

function messagesText(messages: ChatMessage[]): string {
    return messages.map((m) => m.text).join("\n");
}
