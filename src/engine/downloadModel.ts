/**
 * Downloads a model with node-llama-cpp's downloader (ipull underneath) into Hearth's models folder. Runs in the
 * engine because node-llama-cpp is ESM-only. Only https (loopback http for tests), and every file is checked against
 * the SHA-256 its server publishes, after the download and after a resume, and again when it was already there
 * (verifyDownload.ts): a mismatch deletes the file. Interrupted downloads keep their partial `<file>.ipull` (with
 * ipull's progress metadata) so the next download of the same file resumes. Only ever called when the user asked.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { isDownloadableUri } from "../core/models/curatedModels";
import { downloadUrlProblem, splitHashFragment } from "../core/models/downloadChecks";
import { EngineError, type DownloadModelParams, type DownloadModelResult, type DownloadProgressEvent } from "../protocol/engineProtocol";
import { errorText } from "../core/errorText";
import { isNetworkFailure } from "../core/networkErrors";
import { loadNodeLlamaCpp, validateModelFile } from "./modelHost";
import { assertAllowedTargets, downloadTargets, dropTrailingProgressRecord, expectedHashes, recordExpected, removeDownload, stalePartials, verifyTargets } from "./verifyDownload";

const PROGRESS_INTERVAL_MS = 250;
/** Passed explicitly, so neither HF_ENDPOINT nor MODEL_ENDPOINT in the engine's environment can pick another server. */
const DEFAULT_HUGGING_FACE = "https://huggingface.co/";

type Downloader = Awaited<ReturnType<Awaited<ReturnType<typeof loadNodeLlamaCpp>>["createModelDownloader"]>>;

export async function downloadModel(
    params: DownloadModelParams,
    signal: AbortSignal,
    emit: (event: DownloadProgressEvent) => void,
): Promise<DownloadModelResult> {
    if (!isDownloadableUri(params.uri)) {
        throw new EngineError("badRequest", `“${params.uri}” is not a model address Hearth can download. Use hf:<user>/<repo>:<quantization> or an https:// link to a .gguf file.`);
    }
    const endpoint = params.huggingFaceEndpoint?.trim() || DEFAULT_HUGGING_FACE;
    const endpointProblem = downloadUrlProblem(endpoint);
    if (endpointProblem) throw new EngineError("badRequest", `Refusing the Hugging Face address: ${endpointProblem}.`);
    const { uri, sha256: given } = splitHashFragment(params.uri);
    await fs.mkdir(params.dirPath, { recursive: true });
    let lastEmit = 0;
    const report = (downloadedBytes: number, totalBytes: number, force = false, phase: DownloadProgressEvent["phase"] = "download") => {
        const now = Date.now();
        if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return;
        lastEmit = now;
        emit({ type: "downloadProgress", phase, downloadedBytes, totalBytes });
    };

    const cancelled = () => new EngineError("cancelled", "The download was cancelled. Run “Hearth: Download Model” again to resume it.");
    const create = async (): Promise<Downloader> => {
        const { createModelDownloader } = await loadNodeLlamaCpp();
        try {
            // Resolving an hf: URI asks Hugging Face which file holds the quantization; race it with cancellation.
            return await raceAbort(createModelDownloader({
                modelUri: uri,
                dirPath: params.dirPath,
                skipExisting: true,
                deleteTempFileOnCancel: false,
                showCliProgress: false,
                endpoints: { huggingFace: endpoint },
                onProgress: (st) => report(st.downloadedSize, st.totalSize),
            }), signal);
        } catch (err) {
            if (signal.aborted) throw cancelled();
            if (isNetworkFailure(err)) throw unreachable(uri, endpoint, err);
            throw new EngineError("downloadFailed",
                `Could not find the model ${params.uri}: ${errorText(err)}. Check the internet connection (and proxy) and try again.`, String(err));
        }
    };

    let downloader = await create();
    let targets = downloadTargets(downloader, params.dirPath);
    assertAllowedTargets(targets);
    const expected = await expectedHashes(targets, { pinned: params.expectedSha256, given, signal });
    // A partial saved for another file (the repository changed meanwhile) is not resumed: start that file over.
    const stale = await stalePartials(targets, expected);
    if (stale.length) {
        await downloader.cancel({ deleteTempFile: true }).catch(() => undefined);
        for (const target of stale) await removeDownload(target);
        downloader = await create();
        targets = downloadTargets(downloader, params.dirPath);
    }
    await recordExpected(targets, expected);

    const totalBytes = downloader.totalSize;
    const resumedFromBytes = downloader.downloadedSize;
    const alreadyDownloaded = totalBytes > 0 && await allFilesComplete(downloader.filesInfo);
    report(alreadyDownloaded ? totalBytes : resumedFromBytes, totalBytes, true);
    let modelPath: string;
    try {
        modelPath = await downloader.download({ signal });
        // node-llama-cpp's download() resolves (rather than throws) when cancelled mid-way.
        if (signal.aborted) throw cancelled();
    } catch (err) {
        if (err instanceof EngineError) throw err;
        if (signal.aborted) throw cancelled();
        if (isNetworkFailure(err)) throw unreachable(uri, endpoint, err);
        throw new EngineError("downloadFailed",
            `Downloading ${params.uri} failed: ${errorText(err)}. Run “Hearth: Download Model” again to resume.`, String(err));
    }
    report(downloader.totalSize, downloader.totalSize, true);
    if (!alreadyDownloaded) await dropTrailingProgressRecord(targets);
    const total = downloader.totalSize;
    report(0, total, true, "verify");
    await verifyTargets(targets, expected, signal, (bytes) => report(bytes, total, bytes === total, "verify"));
    // A proxy's HTML error page saved as .gguf must not become the selected model.
    await validateModelFile(modelPath);
    return {
        modelPath,
        files: targets.map((t) => t.filePath),
        totalBytes: downloader.totalSize,
        resumedFromBytes: alreadyDownloaded ? 0 : resumedFromBytes,
        alreadyDownloaded,
        sha256: expected.map((hashes) => hashes.join("+")),
    };
}

async function allFilesComplete(files: { filePath: string; totalSize: number }[]): Promise<boolean> {
    for (const f of files) {
        const stat = await fs.stat(f.filePath).catch(() => undefined);
        if (!stat || stat.size !== f.totalSize) return false;
        // ipull keeps `<file>.ipull` while a download is incomplete.
        if (await fs.stat(`${f.filePath}.ipull`).then(() => true, () => false)) return false;
    }
    return files.length > 0;
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(new Error("aborted"));
    return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(new Error("aborted"));
        signal.addEventListener("abort", onAbort, { once: true });
        work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
}

export function downloadLockKey(params: DownloadModelParams): string {
    return `download:${path.resolve(params.dirPath)}:${params.uri.trim()}`;
}

/** The host named in the message: the Hugging Face endpoint (or mirror) for hf: addresses, else the link's host. */
function unreachable(uri: string, endpoint: string, err: unknown): EngineError {
    let host: string;
    try {
        host = new URL(/^https?:\/\//i.test(uri) ? uri : endpoint).host;
    } catch {
        host = endpoint;
    }
    // The message names the server; the internal error text stays in `detail` (the host writes it to the log).
    return new EngineError("downloadUnreachable", host, `${errorText(err)}${causeText(err)}`);
}

function causeText(err: unknown): string {
    const cause = (err as { cause?: unknown })?.cause;
    return cause ? ` (cause: ${errorText(cause)})` : "";
}
