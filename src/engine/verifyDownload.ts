/**
 * The SHA-256 check of every model download (rules in src/core/models/downloadChecks.ts): find which addresses the
 * downloader will fetch, ask the server for the SHA-256 it publishes for each, keep that hash next to the partial
 * file (`<file>.sha256`) so a later resume of a DIFFERENT file (a new revision) starts over instead of splicing two
 * files, and hash every finished file. A file that does not match is deleted, with its partial and hash record.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { downloadUrlProblem, isAllowedDownloadUrl, publishedSha256 } from "../core/models/downloadChecks";
import { isNetworkFailure } from "../core/networkErrors";
import { errorText } from "../core/errorText";
import { EngineError } from "../protocol/engineProtocol";

/** One file the download saves, made of one or more fetched parts (a binary-split GGUF is spliced into one file). */
export interface DownloadTarget {
    filePath: string;
    /** The file's name on the server (what a pin is keyed by). */
    remoteName: string;
    parts: { url: string; size: number }[];
}

interface IpullEngine {
    fileName?: unknown;
    options?: { partURLs?: unknown };
    file?: { parts?: { size?: unknown }[] };
}

/**
 * The files and addresses of a node-llama-cpp ModelDownloader. node-llama-cpp keeps its per-file downloaders (ipull
 * engines) internal; Hearth pins node-llama-cpp to an exact version and test/engine/modelsDownload.test.ts fails
 * if this shape changes. Refusing is the safe failure: a download Hearth cannot check is not made.
 */
export function downloadTargets(downloader: object, dirPath: string): DownloadTarget[] {
    const engines = (downloader as { _specificFileDownloaders?: unknown })._specificFileDownloaders;
    const broken = () => new EngineError("internal", "Hearth cannot see which files this download fetches, so it cannot check them (node-llama-cpp changed). Please report this.");
    if (!Array.isArray(engines) || engines.length === 0) throw broken();
    return (engines as IpullEngine[]).map((engine) => {
        const urls = engine.options?.partURLs;
        const sizes = engine.file?.parts;
        if (typeof engine.fileName !== "string" || !Array.isArray(urls) || !urls.every((u) => typeof u === "string") || !Array.isArray(sizes) || sizes.length !== urls.length) {
            throw broken();
        }
        const parts = (urls as string[]).map((url, i) => ({ url, size: Number(sizes[i]?.size ?? NaN) }));
        const remoteName = decodeURIComponent(new URL(parts[0]!.url).pathname.split("/").pop() ?? engine.fileName);
        return { filePath: path.join(dirPath, engine.fileName), remoteName, parts };
    });
}

/** Refuses addresses that are not https (or loopback http). */
export function assertAllowedTargets(targets: DownloadTarget[]): void {
    for (const part of targets.flatMap((t) => t.parts)) {
        if (!isAllowedDownloadUrl(part.url)) throw new EngineError("badRequest", `Refusing to download: ${downloadUrlProblem(part.url) ?? part.url}.`);
    }
}

/**
 * The SHA-256 the server publishes for `url`: a HEAD request that reads `X-Linked-Etag` / `ETag`, following
 * redirects within the same server (a renamed repository) but reading the headers of a redirect to a file store.
 */
export async function fetchPublishedSha256(url: string, signal: AbortSignal): Promise<string | undefined> {
    let current = url;
    for (let hop = 0; hop < 5; hop++) {
        const res = await fetch(current, { method: "HEAD", redirect: "manual", signal });
        await res.body?.cancel();
        const sha = publishedSha256(res.headers);
        if (sha) return sha;
        const location = res.headers.get("location");
        if (res.status < 300 || res.status >= 400 || !location) return undefined;
        const next = new URL(location, current);
        if (next.origin !== new URL(current).origin) return undefined;
        current = next.href;
    }
    return undefined;
}

export interface ExpectedHashOptions {
    /** Hashes pinned by Hearth (curated models), by remote file name. */
    pinned?: Readonly<Record<string, string>>;
    /** `#sha256=` given with a plain https link (one file, one part). */
    given?: string;
    signal: AbortSignal;
}

/** The expected SHA-256 of every part of every target, in order. */
export async function expectedHashes(targets: DownloadTarget[], options: ExpectedHashOptions): Promise<string[][]> {
    const single = targets.length === 1 && targets[0]!.parts.length === 1;
    const result: string[][] = [];
    for (const target of targets) {
        const hashes: string[] = [];
        for (const [i, part] of target.parts.entries()) {
            const name = target.parts.length > 1 ? `${target.remoteName} (part ${i + 1})` : target.remoteName;
            const host = new URL(part.url).host;
            let published: string | undefined;
            try {
                published = await fetchPublishedSha256(part.url, options.signal);
            } catch (err) {
                if (options.signal.aborted) throw new EngineError("cancelled", "The download was cancelled.");
                if (isNetworkFailure(err)) throw new EngineError("downloadUnreachable", host, errorText(err));
                throw new EngineError("downloadFailed", `Could not ask ${host} for the SHA-256 of ${name}: ${errorText(err)}. Check the connection and try again.`, String(err));
            }
            const pinned = target.parts.length === 1 ? options.pinned?.[target.remoteName]?.toLowerCase() : undefined;
            const given = single ? options.given : undefined;
            const wanted = pinned ?? given;
            if (wanted && published && wanted !== published) {
                throw new EngineError("downloadFailed",
                    `${host} now publishes a different file for ${name} (SHA-256 ${published}) than the one ${pinned ? "Hearth pinned" : "the address names"} (${wanted}). Nothing was downloaded.`);
            }
            const expected = wanted ?? published;
            if (!expected) {
                throw new EngineError("downloadFailed",
                    `${host} publishes no SHA-256 for ${name}, so Hearth cannot check the file and does not download it. `
                    + "For a link to another server, add #sha256=<the file's SHA-256> to the address.");
            }
            hashes.push(expected);
        }
        result.push(hashes);
    }
    return result;
}

const recordPath = (target: DownloadTarget) => `${target.filePath}.sha256`;
const partialPath = (target: DownloadTarget) => `${target.filePath}.ipull`;
const recordText = (hashes: string[]) => hashes.join("\n") + "\n";

/**
 * Partial files saved for another file than the one now published (the repository changed since the download was
 * interrupted): resuming would splice two files. Returns the targets whose partial must go.
 */
export async function stalePartials(targets: DownloadTarget[], expected: string[][]): Promise<DownloadTarget[]> {
    const stale: DownloadTarget[] = [];
    for (const [i, target] of targets.entries()) {
        const hasPartial = await exists(partialPath(target));
        if (!hasPartial) continue;
        const recorded = await fs.readFile(recordPath(target), "utf8").catch(() => undefined);
        if (recorded !== recordText(expected[i]!)) stale.push(target);
    }
    return stale;
}

export async function removeDownload(target: DownloadTarget): Promise<void> {
    for (const file of [target.filePath, partialPath(target), recordPath(target)]) await fs.rm(file, { force: true });
}

/** Remembers which file a partial belongs to, before its bytes are fetched. */
export async function recordExpected(targets: DownloadTarget[], expected: string[][]): Promise<void> {
    for (const [i, target] of targets.entries()) await fs.writeFile(recordPath(target), recordText(expected[i]!));
}

/**
 * Hashes each finished file (each part's byte range on its own) and compares. A mismatch deletes the file, its
 * partial and its record, and fails with what was expected and found. `onBytes` reports progress.
 */
/**
 * Cuts ipull's progress record off a file it has just finished. ipull keeps that record after the file's last byte
 * while downloading and truncates it away when done, but a record write that started just before the finish can land
 * after the truncation (its "finished" check and its write are separate awaits): the file is then the model followed
 * by a few hundred bytes of JSON, and its hash check fails although every model byte is right. Seen once in a CI run
 * under strace's slowdown (node_modules/ipull/dist/download/download-engine/streams/download-engine-write-stream/).
 * Only for files this download has just written: a file that was already complete keeps its length, so a longer
 * one fails the check. The hash check that follows decides either way.
 */
export async function dropTrailingProgressRecord(targets: DownloadTarget[]): Promise<string[]> {
    const cut: string[] = [];
    for (const target of targets) {
        const announced = target.parts.reduce((n, p) => n + p.size, 0);
        const size = (await fs.stat(target.filePath).catch(() => undefined))?.size;
        if (announced > 0 && size !== undefined && size > announced) {
            await fs.truncate(target.filePath, announced);
            cut.push(`${target.remoteName}: ${size - announced} bytes after the announced ${announced}`);
        }
    }
    return cut;
}

export async function verifyTargets(targets: DownloadTarget[], expected: string[][], signal: AbortSignal, onBytes: (bytes: number) => void): Promise<void> {
    let done = 0;
    for (const [i, target] of targets.entries()) {
        const actual = await hashParts(target, signal, (n) => onBytes(done += n));
        const want = expected[i]!;
        const bad = actual.findIndex((h, p) => h !== want[p]);
        if (bad >= 0) {
            await removeDownload(target);
            throw new EngineError("downloadFailed",
                `${target.remoteName} does not match the SHA-256 its server publishes (expected ${want[bad]}, got ${actual[bad]}): the file was damaged or altered on the way, and Hearth deleted it. Run “Hearth: Download Model” again.`);
        }
    }
}

async function hashParts(target: DownloadTarget, signal: AbortSignal, onBytes: (n: number) => void): Promise<string[]> {
    const hashes: string[] = [];
    let start = 0;
    for (const [i, part] of target.parts.entries()) {
        const last = i === target.parts.length - 1;
        const hash = createHash("sha256");
        // The last part runs to the end of the file: a file longer than announced must fail the check too.
        const stream = createReadStream(target.filePath, last ? { start } : { start, end: start + part.size - 1 });
        for await (const chunk of stream) {
            if (signal.aborted) {
                stream.destroy();
                throw new EngineError("cancelled", "The download check was cancelled. Run “Hearth: Download Model” again to finish it.");
            }
            hash.update(chunk as Buffer);
            onBytes((chunk as Buffer).length);
        }
        hashes.push(hash.digest("hex"));
        start += part.size;
    }
    return hashes;
}

async function exists(file: string): Promise<boolean> {
    return fs.stat(file).then(() => true, () => false);
}
