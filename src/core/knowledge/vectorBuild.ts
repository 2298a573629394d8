/**
 * Filling in the knowledge index's embedding vectors (see vectorIndex.ts): segment by segment, the live chunks'
 * texts are embedded in batches and the segment's vector file is written and committed with a new manifest. A crash
 * or a cancel loses at most the segment in progress; an old index without vectors, a new segment after an update,
 * a damaged vector file or another embedding model are all handled the same way: segments without vectors of the
 * model get them.
 */
import * as path from "node:path";
import { sha256, vectorFile, writeImmutable, type ManifestBody, type SegmentLine } from "./indexStore";
import { encodeVectors, segmentFiles, segmentsWithoutVectors, vectorProgress, type EmbedTexts, type VectorCache } from "./vectorIndex";

/** Texts per embedding request (the engine yields to chat and completions between texts). */
const EMBED_BATCH = 32;

export interface EmbedOptions {
    modelId: string;
    embed: EmbedTexts;
    signal?: AbortSignal;
    onProgress?: (p: { done: number; total: number }) => void;
}

/** What embedMissing needs of the index. */
export interface VectorTarget {
    manifest(): ManifestBody;
    readLines(segment: number, offset: number, length: number): Promise<SegmentLine[]>;
    cache: VectorCache;
    /** Runs `change` on a copy of the current manifest (exclusively) and commits it when it returns true. */
    commit(change: (next: ManifestBody, dir: string) => Promise<boolean>): Promise<void>;
}

export async function embedMissing(target: VectorTarget, options: EmbedOptions): Promise<{ embedded: number }> {
    const { modelId, embed, signal, onProgress } = options;
    let embedded = 0;
    const tried = new Set<number>();
    for (;;) {
        signal?.throwIfAborted();
        const manifest = target.manifest();
        const damaged = Object.entries(manifest.vectors?.modelId === modelId ? manifest.vectors.segments : {})
            .filter(([, info]) => target.cache.isDamaged(info)).map(([id]) => Number(id));
        const segment = [...damaged, ...segmentsWithoutVectors(manifest, modelId)].find((s) => !tried.has(s));
        if (segment === undefined) break;
        tried.add(segment);
        const texts: string[] = [];
        const ranges: [number, number][] = [];
        for (const { entry } of segmentFiles(manifest, segment)) {
            const lines = await target.readLines(segment, entry.offset!, entry.spans!.reduce((a, b) => a + b, 0));
            texts.push(...lines.map((l) => l[1]));
            ranges.push([entry.firstId!, lines.length]);
        }
        const rows: Float32Array[] = [];
        for (let i = 0; i < texts.length; i += EMBED_BATCH) {
            signal?.throwIfAborted();
            rows.push(...(await embed(texts.slice(i, i + EMBED_BATCH), signal)));
            const progress = vectorProgress(target.manifest(), modelId);
            onProgress?.({ done: Math.min(progress.total, progress.done + rows.length), total: progress.total });
        }
        if (rows.length !== texts.length) throw new Error(`The embedding model returned ${rows.length} vectors for ${texts.length} texts.`);
        const dims = rows[0]?.length ?? 0;
        const data = encodeVectors(rows, dims);
        await target.commit(async (next, dir) => {
            if (!next.segments.some((s) => s.id === segment)) return false; // all its files changed meanwhile
            if (next.vectors?.modelId !== modelId || next.vectors.dims !== dims) next.vectors = { modelId, dims, segments: {} };
            const file = vectorFile(segment, next.generation);
            await writeImmutable(path.join(dir, file), data);
            next.vectors.segments[String(segment)] = { file, bytes: data.length, sha256: sha256(data), ranges };
            return true;
        });
        embedded += rows.length;
    }
    onProgress?.(vectorProgress(target.manifest(), modelId));
    return { embedded };
}
