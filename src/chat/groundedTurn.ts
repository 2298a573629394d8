/**
 * Retrieval for one chat turn, free of `vscode` so the engine integration tests run it with a real index:
 * - an attached file larger than its share of the budget is replaced by the parts of it that answer the question
 *   (retrieval over that one file) instead of being cut to its first part;
 * - a question asked of @workspace or @library gets the best excerpts of that index as numbered sources, as many as
 *   fit the budget — or, when the index has nothing relevant, `nothingFound` (the caller says so; no guessing).
 * Sources are numbered across both, in the order the prompt shows them, so the answer's [n] opens the right place.
 */
import { groundingInstruction, hitsWithin, sourcesFromHits, sourcesText, type KnowledgeScopeName } from "../core/chat/grounding";
import { newId } from "../core/chat/chatModel";
import type { Attachment, SourceRef } from "../protocol/conversation";
import type { KnowledgeHit, KnowledgeScope } from "../protocol/knowledge";

export interface GroundingDeps {
    search(query: string, scope: KnowledgeScope, limit: number, signal?: AbortSignal): Promise<KnowledgeHit[]>;
    countTokens(texts: string[]): Promise<number[]>;
}

export interface GroundingInput {
    /** The question, without its @workspace / @library prefix. */
    question: string;
    scope?: KnowledgeScopeName;
    /** The user's attachments (sources and document parts of an earlier attempt are replaced). */
    attachments: readonly Attachment[];
    /** Tokens all attachments together may take (the request's attachment room). */
    room: number;
    deps: GroundingDeps;
    signal?: AbortSignal;
}

export interface GroundingResult {
    attachments: Attachment[];
    sources: SourceRef[];
    /** A system-prompt paragraph telling the model to answer from the sources and cite them; undefined without sources. */
    instruction?: string;
    /** The question was asked of an index that returned nothing relevant. */
    nothingFound: boolean;
}

const WORKSPACE_HITS = 8;
const DOCUMENT_HITS = 12;

export async function groundTurn(input: GroundingInput): Promise<GroundingResult> {
    const { deps } = input;
    const own = input.attachments.filter((a) => a.kind !== "sources");
    const share = Math.floor(input.room / Math.max(1, own.length + (input.scope ? 1 : 0)));
    const sources: SourceRef[] = [];
    const attachments: Attachment[] = [];
    for (const a of own) {
        // A "document" attachment was retrieved for an earlier attempt of this turn (regenerate): retrieve again.
        if (!a.uri || a.kind === "selection" || (a.kind !== "document" && a.tokens <= share)) {
            attachments.push(a);
            continue;
        }
        const hits = await deps.search(input.question, { file: a.uri }, DOCUMENT_HITS, input.signal);
        if (!hits.length) {
            attachments.push(a); // nothing matches: the budget cuts it to its first part, visibly
            continue;
        }
        const fitted = await fit(hits, share, deps, sources.length + 1);
        sources.push(...sourcesFromHits(fitted.hits, sources.length + 1));
        attachments.push({
            ...a, id: newId("att"), kind: "document", text: fitted.text, tokens: fitted.tokens, estimated: false, truncatedFrom: undefined,
        });
    }
    let nothingFound = false;
    if (input.scope) {
        const hits = await deps.search(input.question, input.scope, WORKSPACE_HITS, input.signal);
        if (hits.length) {
            const used = attachments.reduce((n, a) => n + a.tokens, 0);
            const fitted = await fit(hits, Math.max(share, input.room - used), deps, sources.length + 1);
            sources.push(...sourcesFromHits(fitted.hits, sources.length + 1));
            attachments.push({
                id: newId("att"), kind: "sources", label: `@${input.scope}`, path: `@${input.scope}`, languageId: "markdown",
                text: fitted.text, tokens: fitted.tokens, estimated: false,
            });
        } else {
            nothingFound = true;
        }
    }
    const instruction = sources.length ? groundingInstruction(input.scope ?? "document") : undefined;
    return { attachments, sources, instruction, nothingFound };
}

/** The best hits whose numbered text fits `budget` tokens. */
async function fit(hits: KnowledgeHit[], budget: number, deps: GroundingDeps, first: number): Promise<{ hits: KnowledgeHit[]; text: string; tokens: number }> {
    const counts = await deps.countTokens(hits.map((h, i) => sourcesText([h], first + i)));
    const kept = hits.slice(0, hitsWithin(counts, budget));
    const text = sourcesText(kept, first);
    const [tokens = 0] = await deps.countTokens([text]);
    return { hits: kept, text, tokens };
}
