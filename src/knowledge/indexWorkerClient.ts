/**
 * The host's side of the index worker thread: typed requests with ids, cancellation by AbortSignal, progress
 * callbacks, and a worker that is started on first use and again after it died (every pending request is failed
 * then, never left hanging). Plain Node (no vscode), so tests and the benchmark drive the real worker.
 *
 * The worker's heap is capped (resourceLimits): an index that outgrows it ends the worker with an error, not the
 * extension host.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { SyncProgress } from "../core/knowledge/knowledgeIndex";
import type { HostToWorker, WorkerRequest, WorkerResults, WorkerToHost } from "./workerProtocol";

interface Pending {
    resolve: (value: unknown) => void;
    reject: (err: Error) => void;
    onProgress?: (progress: SyncProgress) => void;
    onEmbed?: EmbedForWorker;
    /** Aborted when the request ends, so an embedding batch in flight for it stops. */
    ended: AbortController;
}

/** Embeds a batch of chunk texts for the worker (through the engine process). */
export type EmbedForWorker = (texts: string[], signal: AbortSignal) => Promise<Float32Array[]>;

export class IndexWorkerError extends Error {
    constructor(message: string, readonly aborted: boolean) {
        super(message);
        if (aborted) this.name = "AbortError";
    }
}

export interface IndexWorkerClientOptions {
    /** The bundled worker script (dist/knowledgeWorker.js), or the tsc output in tests. */
    script: string;
    maxHeapMb?: number;
    /** Told when the worker exits unexpectedly (the next request starts a new one). */
    onCrash?: (message: string) => void;
}

export class IndexWorkerClient {
    private worker: Worker | undefined;
    private nextId = 1;
    private readonly pending = new Map<number, Pending>();
    private disposed = false;

    constructor(private readonly options: IndexWorkerClientOptions) {}

    /** Sends a request; resolves with its result, rejects with the worker's error (AbortError when aborted). */
    request<T extends WorkerRequest>(
        request: T,
        options: { signal?: AbortSignal; onProgress?: (progress: SyncProgress) => void; onEmbed?: EmbedForWorker } = {},
    ): Promise<WorkerResults[T["type"]]> {
        if (this.disposed) return Promise.reject(new Error("The knowledge index has been shut down."));
        const { signal, onProgress, onEmbed } = options;
        if (signal?.aborted) return Promise.reject(new IndexWorkerError("Cancelled.", true));
        const worker = this.ensureWorker();
        const id = this.nextId++;
        return new Promise<WorkerResults[T["type"]]>((resolve, reject) => {
            const ended = new AbortController();
            const onAbort = (): void => {
                ended.abort();
                this.send(worker, { type: "cancel", id });
            };
            signal?.addEventListener("abort", onAbort, { once: true });
            this.pending.set(id, {
                resolve: (v) => {
                    signal?.removeEventListener("abort", onAbort);
                    ended.abort();
                    resolve(v as WorkerResults[T["type"]]);
                },
                reject: (e) => {
                    signal?.removeEventListener("abort", onAbort);
                    ended.abort();
                    reject(e);
                },
                ended,
                ...(onProgress ? { onProgress } : {}),
                ...(onEmbed ? { onEmbed } : {}),
            });
            this.send(worker, { type: "request", id, request });
            // Keep the process alive only while something waits on the worker (plain Node: tests, the bench).
            worker.ref();
        });
    }

    get running(): boolean {
        return this.worker !== undefined;
    }

    async dispose(): Promise<void> {
        this.disposed = true;
        const worker = this.worker;
        this.worker = undefined;
        this.failAll("The knowledge index has been shut down.");
        await worker?.terminate();
    }

    private send(worker: Worker, message: HostToWorker): void {
        worker.postMessage(message);
    }

    private ensureWorker(): Worker {
        if (this.worker) return this.worker;
        const worker = new Worker(path.resolve(this.options.script), {
            resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 2048 },
            stdout: false,
            stderr: false,
        });
        worker.unref();
        worker.on("message", (message: WorkerToHost) => this.onMessage(message));
        worker.on("error", (err) => this.onExit(worker, `The indexing worker failed: ${err.message}`));
        worker.on("exit", (code) => this.onExit(worker, `The indexing worker stopped (exit code ${code}).`));
        this.worker = worker;
        return worker;
    }

    private onMessage(message: WorkerToHost): void {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        if (message.type === "progress") {
            pending.onProgress?.(message.progress);
            return;
        }
        if (message.type === "embedTexts") {
            const worker = this.worker;
            const answer = (reply: HostToWorker): void => {
                if (worker && this.worker === worker) this.send(worker, reply);
            };
            if (!pending.onEmbed) {
                answer({ type: "embedded", call: message.call, error: "No embedder for this request." });
                return;
            }
            pending.onEmbed(message.texts, pending.ended.signal).then(
                (vectors) => answer({ type: "embedded", call: message.call, vectors }),
                (err: unknown) => answer({ type: "embedded", call: message.call, error: err instanceof Error ? err.message : String(err) }),
            );
            return;
        }
        this.pending.delete(message.id);
        if (this.pending.size === 0) this.worker?.unref();
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new IndexWorkerError(message.error, message.aborted));
    }

    private onExit(worker: Worker, message: string): void {
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.failAll(message);
        if (!this.disposed) this.options.onCrash?.(message);
    }

    private failAll(message: string): void {
        const pending = [...this.pending.values()];
        this.pending.clear();
        for (const p of pending) p.reject(new IndexWorkerError(message, false));
    }
}
