/**
 * Downloads a model with node-llama-cpp's downloader (ipull underneath) into Hearth's models folder. Runs in the
 * engine because node-llama-cpp is ESM-only. Interrupted downloads keep their partial `<file>.ipull` (with ipull's
 * progress metadata) so the next download of the same URI resumes; a finished file of the right size is not fetched
 * again. Only ever called when the user asked for a download.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { isDownloadableUri } from "../core/models/curatedModels";
import { EngineError, type DownloadModelParams, type DownloadModelResult, type DownloadProgressEvent } from "../protocol/engineProtocol";
import { errorText } from "../core/errorText";
import { loadNodeLlamaCpp, validateModelFile } from "./modelHost";

const PROGRESS_INTERVAL_MS = 250;

export async function downloadModel(
    params: DownloadModelParams,
    signal: AbortSignal,
    emit: (event: DownloadProgressEvent) => void,
): Promise<DownloadModelResult> {
    if (!isDownloadableUri(params.uri)) {
        throw new EngineError("badRequest", `“${params.uri}” is not a model address Hearth can download. Use hf:<user>/<repo>:<quantization> or an https:// link to a .gguf file.`);
    }
    const { createModelDownloader } = await loadNodeLlamaCpp();
    await fs.mkdir(params.dirPath, { recursive: true });
    let lastEmit = 0;
    const report = (downloadedBytes: number, totalBytes: number, force = false) => {
        const now = Date.now();
        if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return;
        lastEmit = now;
        emit({ type: "downloadProgress", downloadedBytes, totalBytes });
    };

    const cancelled = () => new EngineError("cancelled", "The download was cancelled. Run “Hearth: Download Model” again to resume it.");
    let downloader: Awaited<ReturnType<typeof createModelDownloader>>;
    try {
        // Resolving an hf: URI asks Hugging Face which file holds the quantization; race it with cancellation.
        downloader = await raceAbort(createModelDownloader({
            modelUri: params.uri.trim(),
            dirPath: params.dirPath,
            skipExisting: true,
            deleteTempFileOnCancel: false,
            showCliProgress: false,
            endpoints: params.huggingFaceEndpoint ? { huggingFace: params.huggingFaceEndpoint } : undefined,
            onProgress: (s) => report(s.downloadedSize, s.totalSize),
        }), signal);
    } catch (err) {
        if (signal.aborted) throw cancelled();
        throw new EngineError("downloadFailed",
            `Could not find the model ${params.uri}: ${errorText(err)}. Check the internet connection (and proxy) and try again.`, String(err));
    }

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
        throw new EngineError("downloadFailed",
            `Downloading ${params.uri} failed: ${errorText(err)}. Run “Hearth: Download Model” again to resume.`, String(err));
    }
    report(downloader.totalSize, downloader.totalSize, true);
    // A proxy's HTML error page saved as .gguf must not become the selected model.
    await validateModelFile(modelPath);
    return {
        modelPath,
        files: downloader.filesInfo.map((f) => f.filePath),
        totalBytes: downloader.totalSize,
        resumedFromBytes: alreadyDownloaded ? 0 : resumedFromBytes,
        alreadyDownloaded,
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
