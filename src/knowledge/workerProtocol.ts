/**
 * Messages between the extension host and the index worker thread (src/knowledge/indexWorker.ts). Requests carry
 * an id and get exactly one response; a build reports progress as events; `cancel` aborts a request by id.
 */
import type { IndexConfig, IndexNotice, SearchHit, SyncProgress } from "../core/knowledge/knowledgeIndex";
import type { KnowledgeChunk, KnowledgeIndexKind } from "../protocol/knowledge";

export interface WorkerIndexInfo {
    files: number;
    chunks: number;
    bytesOnDisk: number;
    complete: boolean;
    readOnly: boolean;
    /** Set when the index on disk was damaged or of an old format and was started afresh. */
    notice?: IndexNotice;
}

export type WorkerRequest =
    | { type: "open"; kind: KnowledgeIndexKind; config: IndexConfig }
    | { type: "sync"; kind: KnowledgeIndexKind }
    | { type: "update"; kind: KnowledgeIndexKind; paths: string[] }
    | { type: "search"; kind: KnowledgeIndexKind; query: string; limit: number; fsPath?: string }
    | { type: "info"; kind: KnowledgeIndexKind }
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
    info: WorkerIndexInfo;
    close: null;
    clear: null;
    searchDocument: SearchHit[];
    documentChunks: KnowledgeChunk[];
}

export type HostToWorker =
    | { type: "request"; id: number; request: WorkerRequest }
    | { type: "cancel"; id: number };

export type WorkerToHost =
    | { type: "response"; id: number; ok: true; value: unknown }
    | { type: "response"; id: number; ok: false; error: string; aborted: boolean }
    | { type: "progress"; id: number; kind: KnowledgeIndexKind; progress: SyncProgress };
