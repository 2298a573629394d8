/**
 * The product's embedded backend (src/engineClient/embeddedBackend.ts) over a real engine process, for integration
 * tests and the benchmark: the same class the extension uses, with fixed load parameters instead of settings.
 */
import type { LlmBackend } from "../../src/backend/llmBackend";
import { EmbeddedBackend } from "../../src/engineClient/embeddedBackend";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import type { LoadModelParams } from "../../src/protocol/engineProtocol";
import { ENGINE_PATH } from "./fixtures";

/** Load parameters for tests: one thread, CPU only, two sequences (chat + completion) as the product uses. */
export function testLoadParams(modelPath: string, contextSize = 2048): LoadModelParams {
    return { modelPath, contextSize, threads: 1, gpuLayers: 0, sequences: 2, gpu: "cpu" };
}

export function newEngineProcess(): EngineProcess {
    return new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined });
}

/** An EmbeddedBackend on `engine` that loads whatever `params` holds at the time of each `ready()`. */
export function embeddedBackend(engine: EngineProcess, params: LoadModelParams | (() => LoadModelParams)): EmbeddedBackend {
    return new EmbeddedBackend(engine, { loadParams: typeof params === "function" ? params : () => params });
}

/** `backend` with some generation methods replaced (tests watch or adjust requests on their way to the engine). */
export function overrideBackend(backend: LlmBackend, overrides: Partial<Pick<LlmBackend, "chat" | "complete" | "infill">>): LlmBackend {
    return {
        kind: backend.kind,
        get state() { return backend.state; },
        get model() { return backend.model; },
        onDidChangeState: (listener) => backend.onDidChangeState(listener),
        ready: (signal) => backend.ready(signal),
        countTokens: (texts, signal) => backend.countTokens(texts, signal),
        listModels: (signal) => backend.listModels(signal),
        chat: overrides.chat ?? ((p, o) => backend.chat(p, o)),
        complete: overrides.complete ?? ((p, o) => backend.complete(p, o)),
        infill: overrides.infill ?? ((p, o) => backend.infill(p, o)),
    };
}
