/**
 * The in-memory side of a persistent index: the lexical index over chunk ids and the id → file map, loaded from the
 * last snapshot and brought up to the manifest by replaying the files that changed since (read from their
 * segments). Snapshots are written after a build and once enough updates piled up, never on every save: a save
 * costs one small segment and one manifest, not a rewrite of the whole lexical index.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { IndexFormatError, sha256, writeImmutable, type FileEntry, type IndexStore, type ManifestBody, type SegmentLine } from "./indexStore";
import { LexicalIndex } from "./lexicalIndex";

/** What the snapshot's header holds besides the index. */
interface SnapshotMeta {
    /** Chunk ranges per file at snapshot time: path → [first chunk id, chunk count]. */
    files: Record<string, [number, number]>;
}

/** Write a new snapshot once this many chunks were added or removed since the last one. */
const SNAPSHOT_AFTER_CHANGES = 2000;

export class LexicalState {
    private changes = 0;

    private constructor(
        private readonly index: LexicalIndex<SnapshotMeta>,
        private readonly idToPath: Map<number, string>,
    ) {}

    static async load(store: IndexStore, manifest: ManifestBody, displayPath: (fsPath: string) => string): Promise<LexicalState> {
        let index = LexicalIndex.create<SnapshotMeta>();
        let covered: Record<string, [number, number]> = {};
        if (manifest.lexical) {
            const raw = await fs.readFile(path.join(store.dir, manifest.lexical.file));
            if (sha256(raw) !== manifest.lexical.sha256) throw new IndexFormatError("The index's lexical snapshot is damaged.", "corrupt");
            try {
                ({ index, meta: { files: covered } } = LexicalIndex.deserialize<SnapshotMeta>(raw));
            } catch (err) {
                throw new IndexFormatError(`The index's lexical snapshot is damaged (${err instanceof Error ? err.message : String(err)}).`, "corrupt");
            }
        }
        const state = new LexicalState(index, new Map());
        // Files whose chunks the snapshot holds as they are now are only mapped; the rest are replayed.
        for (const [fsPath, range] of Object.entries(covered)) {
            const entry = manifest.files[fsPath];
            if (entry?.firstId === range[0] && entry.spans?.length === range[1]) continue;
            for (let i = 0; i < range[1]; i++) index.discard(range[0] + i);
        }
        for (const [fsPath, entry] of Object.entries(manifest.files)) {
            if (entry.firstId === undefined || !entry.spans?.length) continue;
            const range = covered[fsPath];
            if (range && range[0] === entry.firstId && range[1] === entry.spans.length) {
                for (let i = 0; i < range[1]; i++) state.idToPath.set(range[0] + i, fsPath);
                continue;
            }
            const lines = await store.readLines(entry.seg!, entry.offset!, entry.spans.reduce((a, b) => a + b, 0));
            state.addFile(fsPath, entry, lines, displayPath(fsPath));
        }
        return state;
    }

    get size(): number {
        return this.idToPath.size;
    }

    search(query: string, limit: number, filter?: (fsPath: string) => boolean): { id: number; score: number }[] {
        return this.index.search(query, limit, filter ? (id) => {
            const p = this.idToPath.get(id);
            return p !== undefined && filter(p);
        } : undefined);
    }

    /** The file chunk `id` belongs to, when it is in the index. */
    pathOf(id: number): string | undefined {
        return this.idToPath.get(id);
    }

    /** Where chunk `id` is on disk: its file's entry and the byte range of its line. */
    locate(id: number, manifest: ManifestBody): { fsPath: string; entry: FileEntry; offset: number; length: number } | undefined {
        const fsPath = this.idToPath.get(id);
        const entry = fsPath === undefined ? undefined : manifest.files[fsPath];
        if (!fsPath || !entry?.spans || entry.firstId === undefined || entry.seg === undefined) return undefined;
        const ordinal = id - entry.firstId;
        if (ordinal < 0 || ordinal >= entry.spans.length) return undefined;
        let offset = entry.offset!;
        for (let i = 0; i < ordinal; i++) offset += entry.spans[i]!;
        return { fsPath, entry, offset, length: entry.spans[ordinal]! };
    }

    addFile(fsPath: string, entry: FileEntry, lines: readonly SegmentLine[], displayPath: string): void {
        if (entry.firstId === undefined) return;
        lines.forEach((line, i) => {
            const id = entry.firstId! + i;
            this.index.add({ id, text: line[1], heading: line[5], path: displayPath });
            this.idToPath.set(id, fsPath);
        });
        this.changes += lines.length;
    }

    removeFile(entry: FileEntry, _manifest: ManifestBody): void {
        if (entry.firstId === undefined || !entry.spans) return;
        for (let i = 0; i < entry.spans.length; i++) {
            this.index.discard(entry.firstId + i);
            this.idToPath.delete(entry.firstId + i);
        }
        this.changes += entry.spans.length;
    }

    /** Sets each segment's live chunk count from the file table (segments with none left are then dropped). */
    recountLive(manifest: ManifestBody): void {
        const live = new Map<number, number>();
        for (const entry of Object.values(manifest.files)) {
            if (entry.seg !== undefined && entry.spans) live.set(entry.seg, (live.get(entry.seg) ?? 0) + entry.spans.length);
        }
        for (const segment of manifest.segments) segment.live = live.get(segment.id) ?? 0;
    }

    /**
     * Writes a snapshot when forced (after a build) or when enough changed, and returns the manifest that names it
     * (to be committed by the caller); undefined when no snapshot was due.
     */
    async snapshot(store: IndexStore, manifest: ManifestBody, force: boolean): Promise<ManifestBody | undefined> {
        if (this.changes === 0 || (!force && this.changes < SNAPSHOT_AFTER_CHANGES)) return undefined;
        const files: Record<string, [number, number]> = {};
        for (const [fsPath, entry] of Object.entries(manifest.files)) {
            if (entry.firstId !== undefined && entry.spans?.length) files[fsPath] = [entry.firstId, entry.spans.length];
        }
        const raw = this.index.serialize({ files });
        const file = `lex-${manifest.generation}.bin`;
        await writeImmutable(path.join(store.dir, file), raw);
        this.changes = 0;
        return { ...manifest, generation: manifest.generation + 1, lexical: { file, generation: manifest.generation, bytes: raw.length, sha256: sha256(raw) } };
    }
}
