/**
 * Answers grounded in the user's own files (@workspace, @library, and one large attached document): the question's
 * scope, the retrieved chunks as numbered sources inside the request's token budget, the instruction to cite them as
 * [1], [2]…, and the source list the panel shows under the answer. The sources are what the index returned, never
 * what the model wrote: a citation can only open a place the index recorded.
 */
import type { KnowledgeHit } from "../../protocol/knowledge";
import type { SourceRef } from "../../protocol/conversation";

export type KnowledgeScopeName = "workspace" | "library";

/** "@workspace how is X built?" → scope workspace, question "how is X built?" (also the full-width ＠). */
export function parseScope(text: string): { scope?: KnowledgeScopeName; question: string } {
    const m = /^\s*[@＠](workspace|library)\b[\s:：,，]*/i.exec(text);
    if (!m) return { question: text };
    return { scope: m[1]!.toLowerCase() as KnowledgeScopeName, question: text.slice(m[0].length).trim() };
}

/** "src/a.ts:10–24", "report.pdf p. 12". */
export function sourceLabel(hit: Pick<KnowledgeHit, "relativePath" | "startLine" | "endLine" | "page">): string {
    if (hit.page !== undefined) return `${hit.relativePath} p. ${hit.page}`;
    return hit.startLine === hit.endLine ? `${hit.relativePath}:${hit.startLine}` : `${hit.relativePath}:${hit.startLine}–${hit.endLine}`;
}

export function sourcesFromHits(hits: readonly KnowledgeHit[], first = 1): SourceRef[] {
    return hits.map((h, i) => ({
        n: first + i, label: sourceLabel(h), uri: h.uri, startLine: h.startLine, endLine: h.endLine, page: h.page,
    }));
}

/** The sources as one attachment text: a numbered header per chunk (from `first`), code kept in fences. */
export function sourcesText(hits: readonly KnowledgeHit[], first = 1): string {
    return hits.map((h, i) => {
        const fence = h.text.includes("```") ? "~~~~" : "```";
        return `[${first + i}] ${sourceLabel(h)}${h.heading ? ` (${h.heading})` : ""}\n${fence}\n${h.text}\n${fence}`;
    }).join("\n\n");
}

/**
 * Added to the system prompt for a grounded question. Small models cite far more reliably with an explicit format
 * and an explicit way out ("say that the sources do not contain it") than with "use the context".
 */
export function groundingInstruction(scope: KnowledgeScopeName | "document"): string {
    const where = scope === "workspace" ? "the user's workspace" : scope === "library" ? "the user's document library" : "the attached document";
    return `The attached sources are excerpts from ${where}, numbered [1], [2], and so on. Answer the question from these `
        + "sources only. After each statement, cite the source it comes from in square brackets, like [1] or [2][3]. "
        + "If the sources do not contain the answer, say so plainly instead of guessing.";
}

/**
 * How many of the best hits fit `budget` tokens (at least one when any: the budget cuts an oversized first one).
 * `counts` are the token counts of sourcesText([hit]) for each hit.
 */
export function hitsWithin(counts: readonly number[], budget: number): number {
    let used = 0;
    for (let i = 0; i < counts.length; i++) {
        used += counts[i]! + 2;
        if (used > budget) return Math.max(1, i);
    }
    return counts.length;
}

/** Citation markers [n] in an answer's text that name a real source (outside code), in order of appearance. */
export function citedSources(text: string, sources: number): number[] {
    const withoutCode = text.replace(/```[\s\S]*?(```|$)/g, "").replace(/`[^`\n]*`/g, "");
    const seen: number[] = [];
    for (const m of withoutCode.matchAll(/\[(\d{1,3})\]/g)) {
        const n = Number(m[1]);
        if (n >= 1 && n <= sources && !seen.includes(n)) seen.push(n);
    }
    return seen;
}
