/**
 * Child process of the GGUF fuzz test: runs the engine's pre-load checks (checkBeforeLoad in
 * src/engine/modelFileChecks.ts, exactly what loadModel runs before llama.cpp opens a file) on one file per IPC
 * message and answers with the outcome. It is a separate process so the parent can enforce a time limit per case
 * (a synchronous loop cannot be interrupted from inside) and survive a native abort, as the extension host survives
 * the engine.
 */
import { checkBeforeLoad } from "../../src/engine/modelFileChecks";
import { EngineError } from "../../src/protocol/engineProtocol";

export interface FuzzRequest {
    id: number;
    file: string;
}

export interface FuzzAnswer {
    id: number;
    outcome: "accepted" | "refused" | "strayError";
    code?: string;
    message?: string;
    ms: number;
}

async function main(): Promise<void> {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.disabled });
    process.on("message", (raw: unknown) => {
        const request = raw as FuzzRequest;
        const started = performance.now();
        const answer = (a: Omit<FuzzAnswer, "id" | "ms">) => process.send?.({ ...a, id: request.id, ms: performance.now() - started });
        checkBeforeLoad(request.file, llama).then(
            () => answer({ outcome: "accepted" }),
            (err: unknown) => err instanceof EngineError
                ? answer({ outcome: "refused", code: err.code, message: err.message })
                : answer({ outcome: "strayError", message: err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err) }),
        );
    });
    process.send?.({ ready: true });
}

if (require.main === module) void main();
