/**
 * The index on disk, built so that a crash or SIGKILL at any instant leaves either the old or the new index:
 *
 *   manifest.json        the only mutable file: which segments and files make up the index. Replaced atomically
 *                        (temp file → fsync → rename → fsync of the folder). Line 1 is a header with the format
 *                        version and the SHA-256 of the body (line 2), so a damaged or foreign file is recognised.
 *   seg-<n>.jsonl        immutable chunk segments, one JSON array per line (see SegmentLine); written and fsync'ed
 *                        BEFORE the manifest that names them, never changed afterwards.
 *   lex-<generation>.bin  a snapshot of the lexical (BM25) index (binary, see postingLists.ts), immutable, named by
 *                        the manifest it covers.
 *   vec-<n>-<g>.f32      optional embedding vectors for segment n, written at generation g (Float32,
 *                        little-endian, one row per chunk of the chunk-id ranges the manifest lists for it),
 *                        immutable; the manifest's `vectors` says which model made them and their SHA-256.
 *
 * A commit writes new immutable files, then the manifest. Files that no manifest names (a crash between the two,
 * or replaced segments) are garbage and are deleted when the index is next opened by its writer.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/**
 * Bumped whenever the on-disk format changes: an index of another format is rebuilt (with a notice).
 * 1: MiniSearch JSON snapshot (lex-<generation>.json). 2: compact binary lexical snapshot (lex-<generation>.bin).
 */
export const INDEX_FORMAT = 2;
const MAGIC = "hearth-knowledge-index";
export const MANIFEST = "manifest.json";
const TEMP_MARK = ".tmp-";

/** One indexed file. Its chunks are consecutive lines of one segment and have consecutive chunk ids. */
export interface FileEntry {
    mtimeMs: number;
    size: number;
    /** SHA-1 of the content (decides whether a file whose mtime changed really changed). */
    hash: string;
    /** Why the file has no chunks, when it has none for a reason. */
    skipped?: "binary" | "unreadable";
    /** Segment id, byte offset of the first chunk line, the first chunk id and each chunk line's byte length. */
    seg?: number;
    offset?: number;
    firstId?: number;
    spans?: number[];
}

export interface SegmentInfo {
    id: number;
    bytes: number;
    /** Chunks in the segment, and how many of them still belong to a current file entry. */
    chunks: number;
    live: number;
}

export interface ManifestBody {
    format: number;
    /** Increases by one with every commit. */
    generation: number;
    nextSegment: number;
    nextChunkId: number;
    /** Whether the last full walk of the roots finished (false while a build is interrupted). */
    complete: boolean;
    segments: SegmentInfo[];
    /** Keyed by absolute file-system path. */
    files: Record<string, FileEntry>;
    /** The lexical snapshot and the generation it covers (later changes are replayed from the segments). */
    lexical?: { file: string; generation: number; bytes: number; sha256: string };
    /** Embedding vectors: which model made them, their length, and which segments have them (file per segment). */
    vectors?: { modelId: string; dims: number; segments: Record<string, VectorFileInfo> };
}

/** One segment's vector file: its rows are the chunks of `ranges` ([first chunk id, count] each), in that order. */
export interface VectorFileInfo {
    file: string;
    bytes: number;
    sha256: string;
    ranges: [number, number][];
}

/** A segment line: [file path, chunk text, start line, end line, page (0: none), heading ("" : none)]. */
export type SegmentLine = [string, string, number, number, number, string];

export class IndexFormatError extends Error {
    constructor(message: string, readonly reason: "corrupt" | "oldFormat") {
        super(message);
    }
}

export function emptyManifest(): ManifestBody {
    return { format: INDEX_FORMAT, generation: 0, nextSegment: 1, nextChunkId: 1, complete: false, segments: [], files: {} };
}

export function sha256(data: string | Uint8Array): string {
    return createHash("sha256").update(data).digest("hex");
}

export function sha1(data: Uint8Array): string {
    return createHash("sha1").update(data).digest("hex");
}

/** fsync a folder so a rename in it is durable (POSIX; Windows cannot open folders and does not need it). */
async function syncDir(dir: string): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
        handle = await fs.open(dir, "r");
        await handle.sync();
    } catch {
        // Not supported on this platform/file system.
    } finally {
        await handle?.close();
    }
}

/** Writes `data` to `file` so that the file is either its old content or all of the new one, even on power loss. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
    const temp = `${file}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const handle = await fs.open(temp, "w");
    try {
        await handle.writeFile(data);
        await handle.sync();
    } finally {
        await handle.close();
    }
    await fs.rename(temp, file);
    await syncDir(path.dirname(file));
}

/** Writes a new immutable file (segment, snapshot, vectors): its content is durable before any manifest names it. */
export async function writeImmutable(file: string, data: string | Uint8Array): Promise<void> {
    const handle = await fs.open(file, "w");
    try {
        await handle.writeFile(data);
        await handle.sync();
    } finally {
        await handle.close();
    }
}

export function serializeManifest(body: ManifestBody): string {
    const json = JSON.stringify(body);
    return `${JSON.stringify({ magic: MAGIC, format: body.format, sha256: sha256(json) })}\n${json}`;
}

/** Parses and checks a manifest; throws IndexFormatError when it is damaged or of another format. */
export function parseManifest(raw: string): ManifestBody {
    const newline = raw.indexOf("\n");
    let header: { magic?: unknown; format?: unknown; sha256?: unknown };
    try {
        header = JSON.parse(newline < 0 ? raw : raw.slice(0, newline)) as typeof header;
    } catch {
        throw new IndexFormatError("The index manifest is damaged (unreadable header).", "corrupt");
    }
    if (header.magic !== MAGIC) throw new IndexFormatError("The index manifest is not Hearth's.", "corrupt");
    if (header.format !== INDEX_FORMAT) {
        throw new IndexFormatError(`The index has format ${String(header.format)}; this version of Hearth uses ${INDEX_FORMAT}.`, "oldFormat");
    }
    const json = raw.slice(newline + 1);
    if (sha256(json) !== header.sha256) throw new IndexFormatError("The index manifest is damaged (checksum mismatch).", "corrupt");
    const body = JSON.parse(json) as ManifestBody;
    if (body.format !== INDEX_FORMAT || typeof body.files !== "object" || !Array.isArray(body.segments)) {
        throw new IndexFormatError("The index manifest is damaged (unexpected content).", "corrupt");
    }
    return body;
}

export function segmentFile(id: number): string {
    return `seg-${id}.jsonl`;
}

export function vectorFile(segment: number, generation: number): string {
    return `vec-${segment}-${generation}.f32`;
}

export class IndexStore {
    constructor(readonly dir: string) {}

    /** The committed manifest, undefined when there is none; throws IndexFormatError when it is unusable. */
    async readManifest(): Promise<ManifestBody | undefined> {
        let raw: string;
        try {
            raw = await fs.readFile(path.join(this.dir, MANIFEST), "utf8");
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
            throw err;
        }
        const body = parseManifest(raw);
        // Every file the manifest names must be there with the size it recorded (cheap: no content is read).
        const expected: [string, number][] = body.segments.map((s) => [segmentFile(s.id), s.bytes]);
        if (body.lexical) expected.push([body.lexical.file, body.lexical.bytes]);
        for (const v of Object.values(body.vectors?.segments ?? {})) expected.push([v.file, v.bytes]);
        for (const [name, bytes] of expected) {
            const stat = await fs.stat(path.join(this.dir, name)).catch(() => undefined);
            if (!stat || stat.size !== bytes) throw new IndexFormatError(`The index is damaged: ${name} is missing or truncated.`, "corrupt");
        }
        return body;
    }

    async commit(body: ManifestBody): Promise<void> {
        await fs.mkdir(this.dir, { recursive: true });
        await writeFileAtomic(path.join(this.dir, MANIFEST), serializeManifest(body));
    }

    /** Deletes files no manifest names (left by a crash before a commit, or replaced by a later commit). */
    async collectGarbage(body: ManifestBody | undefined): Promise<void> {
        const keep = new Set<string>([MANIFEST, LOCK_FILE]);
        for (const s of body?.segments ?? []) keep.add(segmentFile(s.id));
        if (body?.lexical) keep.add(body.lexical.file);
        for (const v of Object.values(body?.vectors?.segments ?? {})) keep.add(v.file);
        const names = await fs.readdir(this.dir).catch(() => [] as string[]);
        await Promise.all(names.filter((n) => !keep.has(n)).map((n) => fs.rm(path.join(this.dir, n), { force: true, recursive: true })));
    }

    /** Reads chunk lines [offset, offset + sum(spans)) of a segment. */
    async readLines(segment: number, offset: number, length: number): Promise<SegmentLine[]> {
        const handle = await fs.open(path.join(this.dir, segmentFile(segment)), "r");
        try {
            const buffer = Buffer.alloc(length);
            const { bytesRead } = await handle.read(buffer, 0, length, offset);
            if (bytesRead !== length) throw new IndexFormatError(`The index is damaged: ${segmentFile(segment)} is truncated.`, "corrupt");
            return buffer.toString("utf8").split("\n").filter((l) => l.length > 0).map(parseSegmentLine);
        } finally {
            await handle.close();
        }
    }

    async remove(): Promise<void> {
        await fs.rm(this.dir, { recursive: true, force: true });
    }

    /** Bytes the index takes on disk. */
    async bytesOnDisk(): Promise<number> {
        const names = await fs.readdir(this.dir).catch(() => [] as string[]);
        const sizes = await Promise.all(names.map((n) => fs.stat(path.join(this.dir, n)).then((s) => s.size, () => 0)));
        return sizes.reduce((a, b) => a + b, 0);
    }
}

function parseSegmentLine(line: string): SegmentLine {
    try {
        const value = JSON.parse(line) as unknown;
        if (Array.isArray(value) && value.length === 6 && typeof value[0] === "string" && typeof value[1] === "string") return value as SegmentLine;
    } catch {
        // fall through
    }
    throw new IndexFormatError("The index is damaged: a chunk record does not parse.", "corrupt");
}

export function encodeSegmentLine(line: SegmentLine): string {
    return `${JSON.stringify(line)}\n`;
}

export const LOCK_FILE = "writer.lock";

/**
 * One writer per index folder (two VS Code windows share the library index): the lock file holds the writer's
 * pid. A lock whose process is gone is taken over. Returns a release function, or undefined when another live
 * process holds it (this process then only reads).
 */
export async function acquireWriterLock(dir: string): Promise<(() => Promise<void>) | undefined> {
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            await fs.writeFile(file, String(process.pid), { flag: "wx" });
            return async () => {
                const owner = await fs.readFile(file, "utf8").catch(() => "");
                if (owner === String(process.pid)) await fs.rm(file, { force: true });
            };
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
            const pid = Number(await fs.readFile(file, "utf8").catch(() => ""));
            if (pid === process.pid) return async () => fs.rm(file, { force: true });
            if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return undefined;
            await fs.rm(file, { force: true });
        }
    }
    return undefined;
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}
