/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): each list contributes 1 / (k + rank) for every item it
 * ranks (rank 1-based), and items are ordered by the sum. It needs no score calibration between BM25 and cosine
 * similarity, which is why hybrid retrieval uses it; k = 60 is the value from the paper.
 */
export const RRF_K = 60;

export function reciprocalRankFusion<T>(lists: readonly (readonly T[])[], k = RRF_K): { item: T; score: number }[] {
    const scores = new Map<T, number>();
    for (const list of lists) {
        list.forEach((item, i) => scores.set(item, (scores.get(item) ?? 0) + 1 / (k + i + 1)));
    }
    // Stable for ties: the order of first appearance (earlier lists first) decides.
    return [...scores].map(([item, score]) => ({ item, score })).sort((a, b) => b.score - a.score);
}
