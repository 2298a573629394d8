/**
 * The question's embedding for a knowledge search (free of vscode, so unit tests drive it): undefined when no
 * embedding model is set, and undefined with a log line when embedding fails or takes too long, so the search goes
 * by words instead of failing. Only the caller's own cancellation is passed on.
 */
import type { Embedder } from "../backend/embedder";
import { errorText } from "../core/errorText";
import type { QueryVector } from "../core/knowledge/knowledgeIndex";

/** A question's embedding that takes longer than this is given up: the search then goes by words only. */
export const QUERY_EMBED_TIMEOUT_MS = 15_000;

export async function embedQuery(
    embedder: Embedder | undefined, query: string, warn: (message: string) => void, signal?: AbortSignal, timeoutMs = QUERY_EMBED_TIMEOUT_MS,
): Promise<QueryVector | undefined> {
    if (!embedder?.modelId) return undefined;
    try {
        const timeout = AbortSignal.timeout(timeoutMs);
        const batch = await embedder.embed([query], signal ? AbortSignal.any([signal, timeout]) : timeout);
        return batch.vectors[0] ? { modelId: batch.modelId, vector: batch.vectors[0] } : undefined;
    } catch (err) {
        signal?.throwIfAborted();
        warn(`Knowledge index: the question could not be embedded (${errorText(err)}); searching by words only.`);
        return undefined;
    }
}
