/**
 * Messages between the extension host and the index worker thread (src/knowledge/indexWorker.ts). Requests carry
 * an id and get exactly one response; a build reports progress as events; `cancel` aborts a request by id.
 * An `embed` request gives chunks vectors: the worker asks the host to embed each batch (`embedTexts`, answered
 * by `embedded`), since the embedding model runs in the engine process that the host talks to.
 */
import type { IndexConfig, IndexNotice, QueryVector, SearchHit, SyncProgress } from "../core/knowledge/knowledgeIndex";
import type { KnowledgeChunk, KnowledgeIndexKind } from "../protocol/knowledge";

export interface WorkerIndexInfo {
    files: number;
    chunks: number;
    bytesOnDisk: number;
    complete: boolean;
    readOnly: boolean;
    /** Live chunks with vectors of the embedding model the request named (when it named one). */
    embedded?: { modelId: string; done: number; total: number };
    /** Set when the index on disk was damaged or of an old format and was started afresh. */
    notice?: IndexNotice;
}

export type WorkerRequest =
    | { type: "open"; kind: KnowledgeIndexKind; config: IndexConfig }
    | { type: "sync"; kind: KnowledgeIndexKind }
    | { type: "update"; kind: KnowledgeIndexKind; paths: string[] }
    | { type: "search"; kind: KnowledgeIndexKind; query: string; limit: number; fsPath?: string; queryVector?: QueryVector }
    | { type: "embed"; kind: KnowledgeIndexKind; modelId: string }
    | { type: "info"; kind: KnowledgeIndexKind; modelId?: string }
    | { type: "close"; kind: KnowledgeIndexKind }
    | { type: "clear"; kind: KnowledgeIndexKind }
    | { type: "searchDocument"; fsPath: string; query: string; limit: number }
    | { type: "documentChunks"; fsPath: string };

/** What each request resolves to. */
export interface WorkerResults {
    open: WorkerIndexInfo;
    sync: { indexed: number; removed: number; info: WorkerIndexInfo };
    update: { indexed: number; removed: number; info: WorkerIndexInfo };
    search: SearchHit[];
    embed: { embedded: number; info: WorkerIndexInfo };
    info: WorkerIndexInfo;
    close: null;
    clear: null;
    searchDocument: SearchHit[];
    documentChunks: KnowledgeChunk[];
}

export type HostToWorker =
    | { type: "request"; id: number; request: WorkerRequest }
    | { type: "cancel"; id: number }
    | { type: "embedded"; call: number; vectors?: Float32Array[]; error?: string };

export type WorkerToHost =
    | { type: "response"; id: number; ok: true; value: unknown }
    | { type: "response"; id: number; ok: false; error: string; aborted: boolean }
    | { type: "progress"; id: number; kind: KnowledgeIndexKind; progress: SyncProgress }
    | { type: "embedTexts"; id: number; call: number; texts: string[] };
