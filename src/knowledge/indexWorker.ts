/**
 * The index worker thread: owns the workspace and library indexes and the one-document cache, and does all the
 * reading, chunking, writing and searching, so the extension host's event loop never waits on any of it. Plain
 * Node (no vscode); started by IndexWorkerClient.
 */
import * as path from "node:path";
import { parentPort } from "node:worker_threads";
import { DocumentIndexCache } from "../core/knowledge/documentIndex";
import { KnowledgeIndex, type IndexNotice } from "../core/knowledge/knowledgeIndex";
import { errorText } from "../core/errorText";
import type { KnowledgeIndexKind } from "../protocol/knowledge";
import type { HostToWorker, WorkerIndexInfo, WorkerRequest, WorkerResults, WorkerToHost } from "./workerProtocol";

const port = parentPort;
if (!port) throw new Error("indexWorker must run in a worker thread.");

const indexes = new Map<KnowledgeIndexKind, KnowledgeIndex>();
const notices = new Map<KnowledgeIndexKind, IndexNotice>();
const documents = new DocumentIndexCache();
const running = new Map<number, AbortController>();
/** Embedding batches the host was asked for, by call number. */
const embedCalls = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();
let nextCall = 1;

/** Asks the host to embed texts for request `id` (the host forwards them to the engine process). */
function embedThroughHost(id: number, texts: string[]): Promise<Float32Array[]> {
    const call = nextCall++;
    return new Promise((resolve, reject) => {
        embedCalls.set(call, { resolve, reject });
        post({ type: "embedTexts", id, call, texts });
    });
}

function post(message: WorkerToHost): void {
    port!.postMessage(message);
}

function indexOf(kind: KnowledgeIndexKind): KnowledgeIndex {
    const index = indexes.get(kind);
    if (!index) throw new Error(`The ${kind} index is not open.`);
    return index;
}

async function info(kind: KnowledgeIndexKind, modelId?: string): Promise<WorkerIndexInfo> {
    const index = indexOf(kind);
    const notice = notices.get(kind);
    notices.delete(kind);
    return {
        files: index.fileCount, chunks: index.chunkCount, bytesOnDisk: await index.bytesOnDisk(), complete: index.complete,
        readOnly: index.readOnly, ...(notice ? { notice } : {}),
        ...(modelId ? { embedded: { modelId, ...index.vectorProgress(modelId) } } : {}),
    };
}

/** A read-only index (another window writes it) reloads when the writer committed since. */
async function fresh(kind: KnowledgeIndexKind): Promise<KnowledgeIndex> {
    const index = indexOf(kind);
    if (!index.readOnly || !(await index.changedOnDisk())) return index;
    const reopened = await KnowledgeIndex.open({ ...index.config, readOnly: true });
    indexes.set(kind, reopened.index);
    return reopened.index;
}

async function handle(id: number, request: WorkerRequest, signal: AbortSignal): Promise<WorkerResults[keyof WorkerResults]> {
    switch (request.type) {
        case "open": {
            await indexes.get(request.kind)?.close();
            indexes.delete(request.kind);
            const opened = await KnowledgeIndex.open(request.config);
            indexes.set(request.kind, opened.index);
            if (opened.notice) notices.set(request.kind, opened.notice);
            return info(request.kind);
        }
        case "sync": {
            const result = await indexOf(request.kind).sync({ signal, onProgress: (progress) => post({ type: "progress", id, kind: request.kind, progress }) });
            return { ...result, info: await info(request.kind) };
        }
        case "update": {
            const result = await indexOf(request.kind).updatePaths(request.paths);
            return { ...result, info: await info(request.kind) };
        }
        case "search": {
            const index = await fresh(request.kind);
            const only = request.fsPath;
            return index.search(request.query, request.limit, only ? (p) => p === only : undefined, request.queryVector);
        }
        case "embed": {
            const result = await indexOf(request.kind).embedMissing({
                modelId: request.modelId, signal, embed: (texts) => embedThroughHost(id, texts),
                onProgress: (progress) => post({ type: "progress", id, kind: request.kind, progress }),
            });
            return { ...result, info: await info(request.kind, request.modelId) };
        }
        case "info":
            return info(request.kind, request.modelId);
        case "close":
            await indexes.get(request.kind)?.close();
            indexes.delete(request.kind);
            return null;
        case "clear": {
            const index = indexes.get(request.kind);
            indexes.delete(request.kind);
            await index?.destroy();
            return null;
        }
        case "searchDocument": {
            const doc = await documents.get(request.fsPath);
            const name = path.basename(request.fsPath);
            return documents.search(doc, request.query, request.limit).map(({ chunk, score }) => ({
                fsPath: request.fsPath, relativePath: name, score, text: chunk.text, startLine: chunk.startLine, endLine: chunk.endLine,
                ...(chunk.page ? { page: chunk.page } : {}), ...(chunk.heading ? { heading: chunk.heading } : {}),
            }));
        }
        case "documentChunks":
            return (await documents.get(request.fsPath)).chunks;
    }
}

port.on("message", (message: HostToWorker) => {
    if (message.type === "cancel") {
        running.get(message.id)?.abort();
        return;
    }
    if (message.type === "embedded") {
        const call = embedCalls.get(message.call);
        embedCalls.delete(message.call);
        if (message.vectors) call?.resolve(message.vectors);
        else call?.reject(new Error(message.error ?? "Embedding failed."));
        return;
    }
    const { id, request } = message;
    const controller = new AbortController();
    running.set(id, controller);
    handle(id, request, controller.signal).then(
        (value) => post({ type: "response", id, ok: true, value }),
        (err: unknown) => post({ type: "response", id, ok: false, error: errorText(err), aborted: controller.signal.aborted }),
    ).finally(() => running.delete(id));
});
