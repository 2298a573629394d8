/**
 * A persistent knowledge index over some root folders (the workspace's folders, or the library's): opening it
 * (with recovery), bringing it up to date with the files (full walk or a few changed paths), and searching it.
 * Used inside the index worker thread; plain Node, so unit tests and the benchmark drive it directly.
 *
 * Memory stays bounded while building: files are read one at a time, their chunks go to a pending segment that is
 * committed every few MB, and what stays in memory is the lexical index (terms → chunk ids), the file table and an
 * id → file map, not the text.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { extractChunks } from "./extract";
import { GlobExcludes, type ExcludeSetting } from "./ignoreRules";
import {
    acquireWriterLock, emptyManifest, encodeSegmentLine, IndexFormatError, IndexStore, segmentFile, writeImmutable,
    type FileEntry, type ManifestBody, type SegmentLine,
} from "./indexStore";
import { LexicalState } from "./lexicalState";
import { reciprocalRankFusion } from "./rankFusion";
import { embedMissing, type EmbedOptions } from "./vectorBuild";
import { pruneVectors, VectorCache, vectorProgress } from "./vectorIndex";
import { walkFiles, isFileExcluded, isDocumentFile, type WalkOptions } from "./walkFiles";

export interface IndexRoot {
    fsPath: string;
    /** Put before root-relative paths in results ("" in a single-folder workspace, "name/" otherwise). */
    displayPrefix: string;
    /** files.exclude / search.exclude of this folder, and extra globs. */
    exclude: ExcludeSetting[];
    extraExcludes: string[];
}

export interface IndexConfig {
    dir: string;
    roots: IndexRoot[];
    maxFileBytes: number;
    maxDocumentBytes: number;
    gitignore?: boolean;
    /** Open without taking the writer lock (another process writes). */
    readOnly?: boolean;
}

/** Why an index on disk was discarded at open (the caller tells the user it is being rebuilt). */
export interface IndexNotice {
    reason: "corrupt" | "oldFormat";
    detail: string;
}

export interface SearchHit {
    fsPath: string;
    relativePath: string;
    text: string;
    startLine: number;
    endLine: number;
    page?: number;
    heading?: string;
    score: number;
}

/** A query's embedding, made by the model `modelId` (only vectors of that model are compared with it). */
export interface QueryVector {
    modelId: string;
    vector: Float32Array;
}

/** Candidates taken from each side (words, meaning) before reciprocal rank fusion. */
const FUSION_CANDIDATES = 50;
/** With no word in common with any chunk, a chunk is only a hit by meaning when this close (cosine). */
const MEANING_ONLY_MIN_COSINE = 0.75;

export interface SyncProgress {
    done: number;
    total: number;
}

/** Commit a pending segment once it holds this many bytes or files (bounds memory and work lost to a crash). */
const SEGMENT_BYTES = 4 * 1024 * 1024;
const SEGMENT_FILES = 500;

interface PendingFile {
    fsPath: string;
    entry: FileEntry;
    lines: SegmentLine[];
}

function rootOf(roots: readonly IndexRoot[], fsPath: string): IndexRoot | undefined {
    return roots.find((r) => fsPath === r.fsPath || fsPath.startsWith(r.fsPath.endsWith(path.sep) ? r.fsPath : r.fsPath + path.sep));
}

/** The path shown and cited for a file: root-relative with "/" and the root's prefix; the base name outside roots. */
export function displayPathIn(roots: readonly IndexRoot[], fsPath: string): string {
    const root = rootOf(roots, fsPath);
    if (!root) return path.basename(fsPath);
    return root.displayPrefix + path.relative(root.fsPath, fsPath).split(path.sep).join("/");
}

export class KnowledgeIndex {
    private manifest: ManifestBody;
    private readonly lexical: LexicalState;
    private readonly vectors: VectorCache;
    private pending: PendingFile[] = [];
    private pendingBytes = 0;
    private queue: Promise<unknown> = Promise.resolve();

    private constructor(
        readonly config: IndexConfig,
        private readonly store: IndexStore,
        manifest: ManifestBody,
        lexical: LexicalState,
        readonly readOnly: boolean,
        private readonly releaseLock: (() => Promise<void>) | undefined,
    ) {
        this.manifest = manifest;
        this.lexical = lexical;
        this.vectors = new VectorCache(config.dir);
    }

    /**
     * Opens the index in `config.dir`. A damaged or old-format index is deleted and started afresh: `notice` says
     * so (the caller shows it and builds). Garbage from interrupted commits is removed.
     */
    static async open(config: IndexConfig): Promise<{ index: KnowledgeIndex; notice?: IndexNotice }> {
        const store = new IndexStore(config.dir);
        const release = config.readOnly ? undefined : await acquireWriterLock(config.dir);
        const readOnly = !release;
        let manifest: ManifestBody | undefined;
        let notice: IndexNotice | undefined;
        try {
            manifest = await store.readManifest();
        } catch (err) {
            if (!(err instanceof IndexFormatError)) throw err;
            notice = { reason: err.reason, detail: err.message };
            if (!readOnly) {
                await store.remove();
                await fs.mkdir(config.dir, { recursive: true });
                await acquireWriterLock(config.dir);
            }
        }
        manifest ??= emptyManifest();
        if (!readOnly) await store.collectGarbage(manifest);
        let lexical: LexicalState;
        try {
            lexical = await LexicalState.load(store, manifest, (p) => displayPathIn(config.roots, p));
        } catch (err) {
            if (!(err instanceof IndexFormatError) || readOnly) throw err;
            notice = { reason: err.reason, detail: err.message };
            await store.remove();
            await acquireWriterLock(config.dir);
            manifest = emptyManifest();
            lexical = await LexicalState.load(store, manifest, (p) => displayPathIn(config.roots, p));
        }
        return { index: new KnowledgeIndex(config, store, manifest, lexical, readOnly, release), ...(notice ? { notice } : {}) };
    }

    get fileCount(): number {
        return Object.keys(this.manifest.files).length;
    }

    get chunkCount(): number {
        return this.lexical.size;
    }

    get complete(): boolean {
        return this.manifest.complete;
    }

    get generation(): number {
        return this.manifest.generation;
    }

    bytesOnDisk(): Promise<number> {
        return this.store.bytesOnDisk();
    }

    async close(): Promise<void> {
        await this.queue.catch(() => undefined);
        await this.releaseLock?.();
    }

    /** Runs index changes one at a time (a watcher update never interleaves with a build). */
    private exclusive<T>(work: () => Promise<T>): Promise<T> {
        const run = this.queue.then(work, work);
        this.queue = run.catch(() => undefined);
        return run;
    }

    private walkOptions(root: IndexRoot, signal?: AbortSignal): WalkOptions {
        return {
            excludes: new GlobExcludes(root.exclude, root.extraExcludes),
            maxFileBytes: this.config.maxFileBytes,
            maxDocumentBytes: this.config.maxDocumentBytes,
            ...(this.config.gitignore === false ? { gitignore: false } : {}),
            ...(signal ? { signal } : {}),
        };
    }

    /**
     * Brings the whole index up to date with the roots: new and changed files (by mtime + size, then content hash)
     * are indexed, vanished or now-excluded files removed. Commits as it goes; on abort, what was committed stays
     * (the index is then marked incomplete and the next sync resumes).
     */
    sync(options: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void } = {}): Promise<{ indexed: number; removed: number }> {
        return this.exclusive(async () => {
            this.assertWritable();
            const { signal, onProgress } = options;
            const found: { fsPath: string; size: number; mtimeMs: number; tooLarge: boolean }[] = [];
            for (const root of this.config.roots) {
                for await (const file of walkFiles(root.fsPath, this.walkOptions(root, signal))) {
                    found.push({ fsPath: file.fsPath, size: file.size, mtimeMs: file.mtimeMs, tooLarge: file.skipped === "tooLarge" });
                    if (found.length % 500 === 0) onProgress?.({ done: 0, total: found.length });
                }
            }
            const seen = new Set(found.map((f) => f.fsPath));
            const gone = Object.keys(this.manifest.files).filter((p) => !seen.has(p));
            const tooLarge = found.filter((f) => f.tooLarge && this.manifest.files[f.fsPath]).map((f) => f.fsPath);
            this.removeEntries([...gone, ...tooLarge]);
            let indexed = 0;
            const total = found.length;
            let done = 0;
            let lastReport = 0;
            for (const file of found) {
                signal?.throwIfAborted();
                done++;
                if (!file.tooLarge && (await this.indexOne(file.fsPath, file))) indexed++;
                if (this.pendingBytes >= SEGMENT_BYTES || this.pending.length >= SEGMENT_FILES) await this.flush(false);
                if (onProgress && (done === total || performance.now() - lastReport > 100)) {
                    lastReport = performance.now();
                    onProgress({ done, total });
                }
            }
            await this.flush(true);
            await this.maybeSnapshot(true);
            return { indexed, removed: gone.length + tooLarge.length };
        }).catch(async (err: unknown) => {
            // Keep what was indexed before the abort; the index stays marked incomplete.
            if (this.pending.length || this.dirty) await this.exclusive(() => this.flush(false)).catch(() => undefined);
            throw err;
        });
    }

    /**
     * Re-checks some paths after file-watcher events (created, changed, deleted, renamed: old and new path). A
     * path that is gone removes its file or, when it was a folder, everything under it; a new folder is walked.
     */
    updatePaths(paths: readonly string[]): Promise<{ indexed: number; removed: number }> {
        return this.exclusive(async () => {
            this.assertWritable();
            let indexed = 0;
            let removed = 0;
            for (const fsPath of new Set(paths)) {
                const root = this.rootOf(fsPath);
                const stat = await fs.stat(fsPath).catch(() => undefined);
                const under = Object.keys(this.manifest.files).filter((p) => p === fsPath || p.startsWith(fsPath + path.sep));
                if (!root || !stat) {
                    removed += this.removeEntries(under);
                    continue;
                }
                const rel = path.relative(root.fsPath, fsPath).split(path.sep).join("/");
                const excluded = rel !== "" && (await isFileExcluded(root.fsPath, rel, this.walkOptions(root)));
                if (excluded) {
                    removed += this.removeEntries(under);
                } else if (stat.isDirectory()) {
                    const options = this.walkOptions(root);
                    const seen = new Set<string>();
                    for await (const file of walkFiles(fsPath, options)) {
                        // walkFiles is relative to the folder; re-check the root's rules for each file it yields.
                        const fileRel = path.relative(root.fsPath, file.fsPath).split(path.sep).join("/");
                        if (file.skipped || (await isFileExcluded(root.fsPath, fileRel, options))) continue;
                        seen.add(file.fsPath);
                        if (await this.indexOne(file.fsPath, file)) indexed++;
                    }
                    removed += this.removeEntries(under.filter((p) => !seen.has(p)));
                } else if (stat.isFile()) {
                    const cap = isDocumentFile(fsPath) ? this.config.maxDocumentBytes : this.config.maxFileBytes;
                    if (stat.size > cap) removed += this.removeEntries(under);
                    else if (await this.indexOne(fsPath, stat)) indexed++;
                }
            }
            await this.flush(this.manifest.complete);
            await this.maybeSnapshot(false);
            return { indexed, removed };
        });
    }

    /**
     * Searches the committed index. `filter` keeps hits of some files only. With `queryVector`, the lexical ranking
     * and an exact cosine ranking of the stored vectors of the same model are merged by reciprocal rank fusion; the
     * hit's score is then the fused score.
     */
    async search(query: string, limit: number, filter?: (fsPath: string) => boolean, queryVector?: QueryVector): Promise<SearchHit[]> {
        let ranked = this.lexical.search(query, queryVector ? Math.max(limit, FUSION_CANDIDATES) : limit, filter);
        if (queryVector) {
            const byMeaning = await this.vectors.search(this.manifest, queryVector.modelId, queryVector.vector, Math.max(limit, FUSION_CANDIDATES), (firstId) => {
                const fsPath = this.lexical.pathOf(firstId);
                return fsPath !== undefined && this.manifest.files[fsPath]?.firstId === firstId && (!filter || filter(fsPath));
            });
            const meaning = ranked.length ? byMeaning : byMeaning.filter((h) => h.score >= MEANING_ONLY_MIN_COSINE);
            ranked = reciprocalRankFusion([ranked.map((r) => r.id), meaning.map((r) => r.id)]).slice(0, limit).map((f) => ({ id: f.item, score: f.score }));
        }
        const hits: SearchHit[] = [];
        for (const { id, score } of ranked) {
            const located = this.lexical.locate(id, this.manifest);
            if (!located) continue;
            const [line] = await this.store.readLines(located.entry.seg!, located.offset, located.length);
            if (!line) continue;
            const [fsPath, text, startLine, endLine, page, heading] = line;
            hits.push({
                fsPath, relativePath: this.displayPath(fsPath), text, startLine, endLine, score,
                ...(page ? { page } : {}), ...(heading ? { heading } : {}),
            });
        }
        return hits;
    }

    /** Live chunks with vectors of `modelId`, and all live chunks. */
    vectorProgress(modelId: string): { done: number; total: number } {
        return vectorProgress(this.manifest, modelId);
    }

    /**
     * Gives every live chunk a vector of `modelId`, segment by segment (each committed with its own manifest, so
     * a crash or cancel keeps what was finished). Runs beside builds and updates; only the commit is exclusive.
     */
    embedMissing(options: EmbedOptions): Promise<{ embedded: number }> {
        this.assertWritable();
        return embedMissing({
            manifest: () => this.manifest,
            readLines: (segment, offset, length) => this.store.readLines(segment, offset, length),
            cache: this.vectors,
            commit: (change) => this.exclusive(async () => {
                const next: ManifestBody = structuredClone(this.manifest);
                if (!(await change(next, this.config.dir))) return;
                next.generation++;
                await this.store.commit(next);
                this.manifest = next;
                this.vectors.retain(next);
                await this.store.collectGarbage(next);
            }),
        }, options);
    }

    /** Every chunk of one indexed file, in order (empty when the file is not in the index). */
    async chunksOf(fsPath: string): Promise<SegmentLine[]> {
        const entry = this.manifest.files[fsPath];
        if (!entry?.seg || !entry.spans?.length) return [];
        return this.store.readLines(entry.seg, entry.offset!, entry.spans.reduce((a, b) => a + b, 0));
    }

    /** Deletes the index from disk (Clear Index); the object is unusable afterwards. */
    async destroy(): Promise<void> {
        await this.exclusive(async () => {
            await this.releaseLock?.();
            await this.store.remove();
        });
    }

    /** Whether another process committed since this one loaded (read-only windows reload then). */
    async changedOnDisk(): Promise<boolean> {
        const body = await this.store.readManifest().catch(() => undefined);
        return !!body && body.generation !== this.manifest.generation;
    }

    displayPath(fsPath: string): string {
        return displayPathIn(this.config.roots, fsPath);
    }

    private rootOf(fsPath: string): IndexRoot | undefined {
        return rootOf(this.config.roots, fsPath);
    }

    private async maybeSnapshot(force: boolean): Promise<void> {
        const next = await this.lexical.snapshot(this.store, this.manifest, force);
        if (!next) return;
        await this.store.commit(next);
        this.manifest = next;
        await this.store.collectGarbage(next);
    }

    private assertWritable(): void {
        if (this.readOnly) throw new Error("This index is being written by another window; it can only be searched here.");
    }

    /** Manifest changes not yet committed (entries removed, mtimes refreshed). */
    private dirty = false;

    /** Removes file entries; their chunks leave the lexical index at the next flush. Returns how many. */
    private removeEntries(paths: readonly string[]): number {
        for (const p of paths) {
            const entry = this.manifest.files[p];
            if (!entry) continue;
            this.lexical.removeFile(entry, this.manifest);
            delete this.manifest.files[p];
            this.dirty = true;
        }
        return paths.length;
    }

    /** Reads one file into the pending segment when it changed. Returns whether its chunks changed. */
    private async indexOne(fsPath: string, stat: { size: number; mtimeMs: number }): Promise<boolean> {
        const old = this.manifest.files[fsPath];
        if (old && old.mtimeMs === stat.mtimeMs && old.size === stat.size) return false;
        const extracted = await extractChunks(fsPath);
        if ("skipped" in extracted && extracted.hash === undefined) {
            // Vanished or unreadable right now: drop it; a later event or sync brings it back.
            this.removeEntries([fsPath]);
            return false;
        }
        if (old && old.hash === extracted.hash) {
            this.manifest.files[fsPath] = { ...old, mtimeMs: stat.mtimeMs, size: stat.size };
            this.dirty = true;
            return false;
        }
        this.removeEntries([fsPath]);
        const entry: FileEntry = { mtimeMs: stat.mtimeMs, size: extracted.size ?? stat.size, hash: extracted.hash! };
        if ("skipped" in extracted) {
            this.manifest.files[fsPath] = { ...entry, skipped: extracted.skipped };
            this.dirty = true;
            return false;
        }
        const lines = extracted.chunks.map((c): SegmentLine => [fsPath, c.text, c.startLine, c.endLine, c.page ?? 0, c.heading ?? ""]);
        this.pending.push({ fsPath, entry, lines });
        this.pendingBytes += lines.reduce((n, l) => n + l[1].length, 0);
        return true;
    }

    /** Writes the pending segment and commits a new manifest (then the lexical index follows it). */
    private async flush(complete: boolean): Promise<void> {
        if (!this.pending.length && !this.dirty && this.manifest.complete === complete) return;
        const next: ManifestBody = structuredClone(this.manifest);
        const added: { fsPath: string; entry: FileEntry; lines: SegmentLine[] }[] = [];
        if (this.pending.length) {
            const seg = next.nextSegment++;
            const parts: Buffer[] = [];
            let offset = 0;
            let chunks = 0;
            for (const file of this.pending) {
                const encoded = file.lines.map((l) => Buffer.from(encodeSegmentLine(l), "utf8"));
                const spans = encoded.map((b) => b.length);
                const entry: FileEntry = { ...file.entry };
                if (encoded.length) {
                    Object.assign(entry, { seg, offset, firstId: next.nextChunkId, spans });
                    next.nextChunkId += encoded.length;
                }
                parts.push(...encoded);
                offset += spans.reduce((a, b) => a + b, 0);
                chunks += encoded.length;
                next.files[file.fsPath] = entry;
                added.push({ fsPath: file.fsPath, entry, lines: file.lines });
            }
            if (chunks) {
                await writeImmutable(path.join(this.config.dir, segmentFile(seg)), Buffer.concat(parts));
                next.segments.push({ id: seg, bytes: offset, chunks, live: chunks });
            }
        }
        this.lexical.recountLive(next);
        next.segments = next.segments.filter((s) => s.live > 0);
        pruneVectors(next);
        next.complete = complete;
        next.generation++;
        await this.store.commit(next);
        this.manifest = next;
        for (const file of added) this.lexical.addFile(file.fsPath, file.entry, file.lines, this.displayPath(file.fsPath));
        this.pending = [];
        this.pendingBytes = 0;
        this.dirty = false;
    }
}
