/**
 * The host side of the knowledge index (implements KnowledgeApi, see src/services.ts): keeps each index's status,
 * starts builds and incremental updates in the worker thread, feeds it file-watcher events (debounced, batched),
 * and reopens an index when its roots or exclude settings change. Nothing here reads or parses files: the
 * extension host only passes messages.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { Embedder } from "../backend/embedder";
import { getSetting } from "../config/settings";
import { DisposableStore } from "../core/disposables";
import { errorText } from "../core/errorText";
import type { IndexConfig, SearchHit } from "../core/knowledge/knowledgeIndex";
import type {
    KnowledgeChunk, KnowledgeHit, KnowledgeIndexKind, KnowledgeIndexStatus, KnowledgeSearchOptions,
} from "../protocol/knowledge";
import type { KnowledgeApi } from "../services";
import { IndexWorkerClient, IndexWorkerError } from "./indexWorkerClient";
import { embedQuery } from "./queryVector";
import { indexDir, libraryFolders, libraryIndexConfig, workspaceIndexConfig } from "./knowledgeConfig";
import type { WorkerIndexInfo } from "./workerProtocol";

const KINDS: KnowledgeIndexKind[] = ["workspace", "library"];
/** Watcher events are collected this long before one update (a branch switch fires thousands). */
const UPDATE_DEBOUNCE_MS = 400;
/** More changed paths than this at once are handled by a full (incremental) walk instead of one by one. */
const FULL_SYNC_AFTER_EVENTS = 1000;
/** workspaceState key: the user cleared this workspace's index; do not rebuild it until they ask. */
const CLEARED_KEY = "hearth.knowledge.cleared";

interface IndexSlot {
    status: KnowledgeIndexStatus;
    config: IndexConfig | undefined;
    /** Resolves once the index is open in the worker (undefined: not opened yet). */
    opened?: Promise<boolean>;
    build?: AbortController;
    /** The build or catch-up in flight; whenReady waits for it. */
    running?: Promise<void>;
    pendingPaths: Set<string>;
    updateTimer?: ReturnType<typeof setTimeout>;
    watchers: DisposableStore;
    /** Chunks being given vectors (search by meaning), after a build or an update. */
    embedding?: AbortController;
    /** Reload, Clear and Rebuild of this index, one after another (see serially). */
    lifecycle: Promise<void>;
}

export class KnowledgeService implements KnowledgeApi, vscode.Disposable {
    private readonly emitter = new vscode.EventEmitter<KnowledgeIndexStatus>();
    readonly onDidChangeStatus = this.emitter.event;
    private readonly client: IndexWorkerClient;
    private readonly slots = new Map<KnowledgeIndexKind, IndexSlot>();
    private readonly disposables = new DisposableStore();
    private lastProgressEvent = 0;

    constructor(
        private readonly context: vscode.ExtensionContext,
        private readonly log: vscode.LogOutputChannel,
        workerScript: string,
        private readonly embedder?: Embedder,
    ) {
        this.client = new IndexWorkerClient({
            script: workerScript,
            onCrash: (message) => {
                this.log.error(`Knowledge index: ${message}`);
                for (const kind of KINDS) {
                    const slot = this.slot(kind);
                    slot.opened = undefined;
                    this.setStatus(kind, { state: "error", error: message });
                }
            },
        });
        for (const kind of KINDS) {
            this.slots.set(kind, {
                status: { kind, state: "empty", files: 0, chunks: 0, bytesOnDisk: 0, location: indexDir(context, kind) ?? "" },
                config: undefined, pendingPaths: new Set(), watchers: new DisposableStore(), lifecycle: Promise.resolve(),
            });
        }
        this.disposables.add(this.emitter);
        if (embedder) {
            this.disposables.add(embedder.onDidChangeModel(() => {
                // An index being built starts embedding when the build ends.
                for (const kind of KINDS) if (this.slot(kind).status.state === "ready" && !this.slot(kind).running) this.startEmbedding(kind);
            }));
        }
    }

    /** Opens both indexes and brings them up to date (called shortly after activation, and by the commands). */
    start(): void {
        for (const kind of KINDS) if (!this.slot(kind).opened) void this.reload(kind);
    }

    status(kind: KnowledgeIndexKind): KnowledgeIndexStatus {
        return this.slot(kind).status;
    }

    async whenReady(kind: KnowledgeIndexKind, signal?: AbortSignal): Promise<KnowledgeIndexStatus> {
        const slot = this.slot(kind);
        if (!slot.opened) await this.reload(kind);
        while (slot.running) {
            signal?.throwIfAborted();
            await slot.running;
        }
        return slot.status;
    }

    async search(query: string, options: KnowledgeSearchOptions): Promise<KnowledgeHit[]> {
        const limit = Math.max(1, Math.min(options.limit ?? 8, 100));
        const signal = options.signal;
        let hits: SearchHit[];
        if (typeof options.scope === "object") {
            const fsPath = vscode.Uri.parse(options.scope.file).fsPath;
            hits = await this.client.request({ type: "searchDocument", fsPath, query, limit }, signal ? { signal } : {});
        } else {
            const kind = options.scope;
            if (!(await this.ensureOpen(kind))) return [];
            const queryVector = await embedQuery(this.embedder, query, (m) => this.log.warn(m), signal);
            hits = await this.client.request({ type: "search", kind, query, limit, ...(queryVector ? { queryVector } : {}) }, signal ? { signal } : {});
        }
        return hits.map((hit) => ({ ...hit, uri: vscode.Uri.file(hit.fsPath).toString() }));
    }

    /** Gives the index's chunks vectors of the configured embedding model (none set: nothing to do). */
    private startEmbedding(kind: KnowledgeIndexKind): void {
        const slot = this.slot(kind);
        slot.embedding?.abort();
        slot.embedding = undefined;
        const modelId = this.embedder?.modelId;
        if (!this.embedder || !modelId || slot.status.readOnly) {
            if (slot.status.pendingEmbeddings) this.setStatus(kind, { pendingEmbeddings: undefined });
            return;
        }
        const embedder = this.embedder;
        const controller = new AbortController();
        slot.embedding = controller;
        const started = performance.now();
        void this.client.request({ type: "embed", kind, modelId }, {
            signal: controller.signal,
            onProgress: (p) => this.setStatus(kind, { embeddingModel: modelId, pendingEmbeddings: Math.max(0, p.total - p.done) }, true),
            onEmbed: async (texts, signal) => (await embedder.embed(texts, AbortSignal.any([signal, controller.signal]))).vectors,
        }).then((result) => {
            if (result.embedded) this.log.info(`Knowledge index (${kind}): ${result.embedded} chunk(s) embedded in ${Math.round(performance.now() - started)} ms (${modelId}).`);
            this.setStatus(kind, { embeddingModel: modelId, pendingEmbeddings: undefined });
        }, (err: unknown) => {
            this.setStatus(kind, { pendingEmbeddings: undefined });
            if (controller.signal.aborted) return;
            this.log.warn(`Knowledge index (${kind}): embedding stopped (${errorText(err)}); chunks without vectors are found by words only.`);
        }).finally(() => {
            if (slot.embedding === controller) slot.embedding = undefined;
        });
    }

    async indexFile(uri: vscode.Uri, signal?: AbortSignal): Promise<{ chunks: number }> {
        const chunks = await this.documentChunks(uri, signal);
        return { chunks: chunks.length };
    }

    documentChunks(uri: vscode.Uri, signal?: AbortSignal): Promise<KnowledgeChunk[]> {
        if (uri.scheme !== "file") return Promise.reject(new Error(vscode.l10n.t("Only files on this computer can be indexed ({0}).", uri.toString())));
        return this.client.request({ type: "documentChunks", fsPath: uri.fsPath }, signal ? { signal } : {});
    }

    async rebuild(kind: KnowledgeIndexKind): Promise<void> {
        await this.serially(kind, async () => {
            if (kind === "workspace") await this.context.workspaceState.update(CLEARED_KEY, undefined);
            await this.clearIndex(kind);
            await this.reloadNow(kind);
        });
        await this.slot(kind).running;
    }

    clear(kind: KnowledgeIndexKind): Promise<void> {
        return this.serially(kind, async () => {
            if (kind === "workspace") await this.context.workspaceState.update(CLEARED_KEY, true);
            await this.clearIndex(kind);
            this.resetWatchers(this.slot(kind));
            this.setStatus(kind, { state: "empty", files: 0, chunks: 0, bytesOnDisk: 0 });
        });
    }

    /**
     * Runs Reload, Clear and Rebuild of one index one after another. A reload that a settings change started
     * (Remove Folder from Library reloads the workspace index too) could otherwise reopen the index in the worker
     * while Clear ran: the worker had nothing open to delete, and the folder came back (an in-host run saw it).
     */
    private serially(kind: KnowledgeIndexKind, operation: () => Promise<void>): Promise<void> {
        const slot = this.slot(kind);
        const run = slot.lifecycle.then(operation);
        slot.lifecycle = run.catch(() => undefined);
        return run;
    }

    /** Cancels the builds in progress (the status bar's Cancel). What was committed stays searchable. */
    cancelBuilds(): void {
        for (const kind of KINDS) {
            this.slot(kind).build?.abort();
            this.slot(kind).embedding?.abort();
        }
    }

    /** Reopens an index whose roots or settings changed, and brings it up to date. */
    reload(kind: KnowledgeIndexKind): Promise<void> {
        return this.serially(kind, () => this.reloadNow(kind));
    }

    private async reloadNow(kind: KnowledgeIndexKind): Promise<void> {
        const slot = this.slot(kind);
        slot.build?.abort();
        slot.embedding?.abort();
        await slot.running?.catch(() => undefined);
        slot.config = this.configFor(kind);
        this.resetWatchers(slot);
        if (!slot.config) {
            slot.opened = Promise.resolve(false);
            // The last library folder was removed: its files must not stay in an index on disk.
            if (kind === "library" && getSetting("knowledge.enabled") && libraryFolders().length === 0) await this.clearIndex(kind);
            await this.client.request({ type: "close", kind }).catch(() => undefined);
            this.setStatus(kind, { state: "empty", files: 0, chunks: 0, bytesOnDisk: 0 });
            return;
        }
        slot.opened = this.open(kind, slot.config);
        if (await slot.opened) {
            this.watch(kind, slot.config);
            this.startSync(kind);
        }
    }

    private configFor(kind: KnowledgeIndexKind): IndexConfig | undefined {
        if (!getSetting("knowledge.enabled")) return undefined;
        if (kind === "library") return libraryIndexConfig(this.context);
        if (this.context.workspaceState.get<boolean>(CLEARED_KEY)) return undefined;
        return workspaceIndexConfig(this.context);
    }

    private async ensureOpen(kind: KnowledgeIndexKind): Promise<boolean> {
        const slot = this.slot(kind);
        if (!slot.opened) {
            slot.config = this.configFor(kind);
            slot.opened = slot.config ? this.open(kind, slot.config) : Promise.resolve(false);
        }
        return slot.opened;
    }

    private async open(kind: KnowledgeIndexKind, config: IndexConfig): Promise<boolean> {
        this.setStatus(kind, { state: "loading", location: config.dir });
        try {
            const info = await this.client.request({ type: "open", kind, config });
            this.applyInfo(kind, info, info.complete ? "ready" : "building");
            if (info.notice) {
                this.log.warn(`Knowledge index (${kind}): ${info.notice.detail} Rebuilding it.`);
                void vscode.window.showWarningMessage(info.notice.reason === "oldFormat"
                    ? vscode.l10n.t("Hearth's {0} index was made by another version of Hearth and is being rebuilt.", this.kindLabel(kind))
                    : vscode.l10n.t("Hearth's {0} index was damaged and is being rebuilt. Your files are not affected.", this.kindLabel(kind)));
            }
            return true;
        } catch (err) {
            this.log.error(`Knowledge index (${kind}) could not be opened: ${errorText(err)}`);
            this.setStatus(kind, { state: "error", error: errorText(err) });
            return false;
        }
    }

    /** Full walk: indexes what changed since the last run (everything, the first time). */
    private startSync(kind: KnowledgeIndexKind): void {
        const slot = this.slot(kind);
        if (slot.status.readOnly) {
            this.setStatus(kind, { state: "ready" });
            return;
        }
        const controller = new AbortController();
        slot.build = controller;
        const started = performance.now();
        this.setStatus(kind, { state: "building", progress: { done: 0, total: 0 } });
        slot.running = this.client.request({ type: "sync", kind }, {
            signal: controller.signal,
            onProgress: (progress) => this.setStatus(kind, { state: "building", progress }, true),
        }).then((result) => {
            this.log.info(`Knowledge index (${kind}): up to date in ${Math.round(performance.now() - started)} ms — ${result.indexed} file(s) indexed, ${result.removed} removed; ${result.info.files} files, ${result.info.chunks} chunks.`);
            this.applyInfo(kind, result.info, "ready");
            this.startEmbedding(kind);
        }, (err: unknown) => {
            if (err instanceof IndexWorkerError && err.aborted) {
                this.log.info(`Knowledge index (${kind}): build cancelled.`);
                this.setStatus(kind, { state: "cancelled" });
                void this.refreshInfo(kind, "cancelled");
            } else {
                this.log.error(`Knowledge index (${kind}): ${errorText(err)}`);
                this.setStatus(kind, { state: "error", error: errorText(err) });
            }
        }).finally(() => {
            if (slot.build === controller) slot.build = undefined;
            slot.running = undefined;
            if (slot.pendingPaths.size) this.scheduleUpdate(kind);
        });
    }

    private watch(kind: KnowledgeIndexKind, config: IndexConfig): void {
        const slot = this.slot(kind);
        if (slot.status.readOnly) return;
        const patterns = kind === "workspace"
            ? ["**/*"]
            : config.roots.map((r) => new vscode.RelativePattern(vscode.Uri.file(r.fsPath), "**/*"));
        for (const pattern of patterns) {
            const watcher = vscode.workspace.createFileSystemWatcher(pattern);
            const queue = (uri: vscode.Uri): void => {
                if (uri.scheme !== "file") return;
                slot.pendingPaths.add(uri.fsPath);
                this.scheduleUpdate(kind);
            };
            slot.watchers.add(watcher, watcher.onDidCreate(queue), watcher.onDidChange(queue), watcher.onDidDelete(queue));
        }
    }

    private scheduleUpdate(kind: KnowledgeIndexKind): void {
        const slot = this.slot(kind);
        if (slot.updateTimer) clearTimeout(slot.updateTimer);
        slot.updateTimer = setTimeout(() => {
            slot.updateTimer = undefined;
            if (slot.running || !slot.pendingPaths.size) return; // picked up when the build ends
            const paths = [...slot.pendingPaths].filter((p) => !this.isInsideIndexDir(p));
            slot.pendingPaths.clear();
            if (!paths.length) return;
            // A storm of events (branch switch, npm install, unzipping a folder): one walk is cheaper than checking
            // every path against the rules, and it skips excluded folders (node_modules) without looking inside.
            if (paths.length > FULL_SYNC_AFTER_EVENTS) {
                this.startSync(kind);
                return;
            }
            slot.running = this.client.request({ type: "update", kind, paths }).then((result) => {
                if (result.indexed || result.removed) this.log.info(`Knowledge index (${kind}): updated ${result.indexed}, removed ${result.removed}.`);
                this.applyInfo(kind, result.info, slot.status.state === "building" ? "building" : "ready");
                if (result.indexed) this.startEmbedding(kind);
            }, (err: unknown) => this.log.warn(`Knowledge index (${kind}): update failed: ${errorText(err)}`)).finally(() => {
                slot.running = undefined;
                if (slot.pendingPaths.size) this.scheduleUpdate(kind);
            });
        }, UPDATE_DEBOUNCE_MS);
    }

    /** The index's own folder may sit inside a library folder or workspace: its writes are not file changes. */
    private isInsideIndexDir(fsPath: string): boolean {
        return KINDS.some((k) => {
            const dir = indexDir(this.context, k);
            return !!dir && (fsPath === dir || fsPath.startsWith(dir + path.sep));
        });
    }

    private async clearIndex(kind: KnowledgeIndexKind): Promise<void> {
        const slot = this.slot(kind);
        if (slot.updateTimer) clearTimeout(slot.updateTimer);
        slot.updateTimer = undefined;
        slot.pendingPaths.clear();
        slot.build?.abort();
        slot.embedding?.abort();
        await slot.running?.catch(() => undefined);
        slot.opened = undefined;
        await this.client.request({ type: "clear", kind }).catch(() => undefined);
        // The worker deletes the index it has open; one it has not opened (or a worker that failed) goes here.
        const dir = indexDir(this.context, kind);
        if (dir) await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true, useTrash: false }).then(undefined, () => undefined);
    }

    private async refreshInfo(kind: KnowledgeIndexKind, state: KnowledgeIndexStatus["state"]): Promise<void> {
        const info = await this.client.request({ type: "info", kind }).catch(() => undefined);
        if (info) this.applyInfo(kind, info, state);
    }

    private applyInfo(kind: KnowledgeIndexKind, info: WorkerIndexInfo, state: KnowledgeIndexStatus["state"]): void {
        this.setStatus(kind, { state, files: info.files, chunks: info.chunks, bytesOnDisk: info.bytesOnDisk, readOnly: info.readOnly || undefined });
    }

    private setStatus(kind: KnowledgeIndexKind, change: Partial<KnowledgeIndexStatus>, throttled = false): void {
        const slot = this.slot(kind);
        const next: KnowledgeIndexStatus = { ...slot.status, ...change, kind };
        if (next.state !== "building") delete next.progress;
        if (next.state !== "error") delete next.error;
        slot.status = next;
        const now = performance.now();
        if (throttled && now - this.lastProgressEvent < 200) return;
        this.lastProgressEvent = now;
        this.emitter.fire(next);
    }

    private resetWatchers(slot: IndexSlot): void {
        slot.watchers.dispose();
        slot.watchers = new DisposableStore();
    }

    private slot(kind: KnowledgeIndexKind): IndexSlot {
        return this.slots.get(kind)!;
    }

    kindLabel(kind: KnowledgeIndexKind): string {
        return kind === "workspace" ? vscode.l10n.t("workspace") : vscode.l10n.t("library");
    }

    dispose(): void {
        for (const slot of this.slots.values()) {
            slot.build?.abort();
            slot.embedding?.abort();
            if (slot.updateTimer) clearTimeout(slot.updateTimer);
            slot.watchers.dispose();
        }
        this.disposables.dispose();
        void this.client.dispose();
    }
}
