/**
 * Embedding vectors of the knowledge index (search by meaning), stored per segment: `vec-<segment>-<generation>.f32`
 * holds one Float32 row per chunk of the chunk-id ranges the manifest lists for it, and the manifest names each file
 * with its size and SHA-256 and the model that made the rows (see indexStore.ts). Vector files are immutable and
 * written before the manifest that names them, so a crash leaves the old index or the new one, as for segments.
 * Vectors of another model than the configured one are ignored and replaced segment by segment (the first commit
 * with the new model drops the old files).
 *
 * Search is an exact cosine (dot product of unit vectors) over every live chunk's row, in typed arrays; a vector
 * file whose checksum does not match is ignored (its segment is embedded again), never trusted.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { sha256, type FileEntry, type ManifestBody, type VectorFileInfo } from "./indexStore";

/** Embeds texts into unit vectors (the host's Embedder through the engine, or a test's function). */
export type EmbedTexts = (texts: string[], signal?: AbortSignal) => Promise<Float32Array[]>;

/** The live files of a segment, in chunk-id order. */
export function segmentFiles(manifest: ManifestBody, segment: number): { fsPath: string; entry: FileEntry }[] {
    return Object.entries(manifest.files)
        .filter(([, e]) => e.seg === segment && e.firstId !== undefined && e.spans?.length)
        .map(([fsPath, entry]) => ({ fsPath, entry }))
        .sort((a, b) => a.entry.firstId! - b.entry.firstId!);
}

/** Segments (with live chunks) that have no vectors of `modelId` yet, oldest first. */
export function segmentsWithoutVectors(manifest: ManifestBody, modelId: string): number[] {
    const have = manifest.vectors?.modelId === modelId ? manifest.vectors.segments : {};
    return manifest.segments.filter((s) => s.live > 0 && !have[String(s.id)]).map((s) => s.id);
}

/** Live chunks that have vectors of `modelId`, and all live chunks. */
export function vectorProgress(manifest: ManifestBody, modelId: string): { done: number; total: number } {
    const have = manifest.vectors?.modelId === modelId ? manifest.vectors.segments : {};
    let done = 0;
    let total = 0;
    for (const s of manifest.segments) {
        total += s.live;
        if (have[String(s.id)]) done += s.live;
    }
    return { done, total };
}

/** Encodes rows as little-endian Float32 (the file format on every platform). */
export function encodeVectors(rows: readonly Float32Array[], dims: number): Uint8Array {
    const bytes = new Uint8Array(rows.length * dims * 4);
    const view = new DataView(bytes.buffer);
    rows.forEach((row, r) => {
        if (row.length !== dims) throw new Error(`An embedding has ${row.length} dimensions, expected ${dims}.`);
        for (let i = 0; i < dims; i++) view.setFloat32((r * dims + i) * 4, row[i]!, true);
    });
    return bytes;
}

function decodeVectors(bytes: Uint8Array): Float32Array {
    const out = new Float32Array(bytes.length / 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
}

/** Drops vector entries of segments the manifest no longer has (their files become garbage). */
export function pruneVectors(manifest: ManifestBody): void {
    if (!manifest.vectors) return;
    const live = new Set(manifest.segments.map((s) => String(s.id)));
    for (const id of Object.keys(manifest.vectors.segments)) if (!live.has(id)) delete manifest.vectors.segments[id];
}

/** Vector files read into memory on first search (checked against the manifest's SHA-256), by file name. */
export class VectorCache {
    private readonly loaded = new Map<string, Float32Array | undefined>();

    constructor(private readonly dir: string, private readonly log?: (message: string) => void) {}

    async rows(info: VectorFileInfo, dims: number): Promise<Float32Array | undefined> {
        if (this.loaded.has(info.file)) return this.loaded.get(info.file);
        let rows: Float32Array | undefined;
        try {
            const raw = await fs.readFile(path.join(this.dir, info.file));
            const count = info.ranges.reduce((n, r) => n + r[1], 0);
            if (sha256(raw) === info.sha256 && raw.length === count * dims * 4) rows = decodeVectors(raw);
            else this.log?.(`${info.file} does not match the index manifest; its chunks are searched by words only until embedded again.`);
        } catch (err) {
            this.log?.(`${info.file} could not be read (${err instanceof Error ? err.message : String(err)}).`);
        }
        this.loaded.set(info.file, rows);
        return rows;
    }

    /** Forgets files no longer named by the manifest. */
    retain(manifest: ManifestBody): void {
        const named = new Set(Object.values(manifest.vectors?.segments ?? {}).map((v) => v.file));
        for (const file of this.loaded.keys()) if (!named.has(file)) this.loaded.delete(file);
    }

    /** Whether a named vector file failed its check (the segment is then embedded again). */
    isDamaged(info: VectorFileInfo): boolean {
        return this.loaded.has(info.file) && this.loaded.get(info.file) === undefined;
    }

    /**
     * Exact cosine ranking: the `limit` chunks whose rows are closest to `query` (a unit vector), over the ranges
     * `liveRange` accepts (a range whose file changed or is filtered out is skipped whole).
     */
    async search(manifest: ManifestBody, modelId: string, query: Float32Array, limit: number, liveRange: (firstId: number) => boolean): Promise<{ id: number; score: number }[]> {
        const vectors = manifest.vectors;
        if (!vectors || vectors.modelId !== modelId || vectors.dims !== query.length) return [];
        const dims = vectors.dims;
        const top: { id: number; score: number }[] = [];
        let floor = -Infinity;
        for (const info of Object.values(vectors.segments)) {
            const rows = await this.rows(info, dims);
            if (!rows) continue;
            let row = 0;
            for (const [firstId, count] of info.ranges) {
                if (!liveRange(firstId)) {
                    row += count;
                    continue;
                }
                for (let c = 0; c < count; c++, row++) {
                    const base = row * dims;
                    let score = 0;
                    for (let i = 0; i < dims; i++) score += rows[base + i]! * query[i]!;
                    if (top.length >= limit && score <= floor) continue;
                    top.push({ id: firstId + c, score });
                    if (top.length > limit * 2) {
                        top.sort((a, b) => b.score - a.score).length = limit;
                        floor = top[limit - 1]!.score;
                    }
                }
            }
        }
        return top.sort((a, b) => b.score - a.score).slice(0, limit);
    }
}
