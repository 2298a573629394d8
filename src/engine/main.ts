/**
 * Entry point of the engine child process (forked by the extension host, ELECTRON_RUN_AS_NODE under VS Code).
 * Speaks engineProtocol over Node IPC: announces `ready`, serves typed requests, streams events, honours
 * cancellation by request id, and exits when the host goes away so no orphan keeps a model in memory.
 */
import {
    ENGINE_PROTOCOL_VERSION,
    EngineError,
    isHostToEngineMessage,
    type EngineMethod,
    type EngineMethods,
    type EngineToHostMessage,
    type EventOf,
    type ParamsOf,
    type RequestMessage,
    type ResultOf,
} from "../protocol/engineProtocol";
import { type SequenceName } from "../protocol/generation";
import { runChat, runComplete, runInfill } from "./generation";
import { inspectModels } from "./inspectModels";
import { downloadLockKey, downloadModel } from "./downloadModel";
import { errorText } from "../core/errorText";
import { ModelHost } from "./modelHost";
import { collectGarbage } from "./modelMemory";
import { EmbeddingHost } from "./embeddings";
import { EventCoalescer } from "./eventCoalescer";
import { KeyedMutex } from "./keyedMutex";
import { GPU_PACKAGES_ENV } from "../core/gpuPackages";
import { registerGpuPackagesDir } from "./gpuPackages";

interface RequestContext<M extends EngineMethod> {
    signal: AbortSignal;
    emit(event: EventOf<M>): void;
}

type Handlers = { [M in EngineMethod]: (params: ParamsOf<M>, ctx: RequestContext<M>) => Promise<ResultOf<M>> };

function send(message: EngineToHostMessage): void {
    if (process.connected) process.send?.(message);
}

function log(level: "debug" | "info" | "warn" | "error", message: string): void {
    send({ type: "log", level, message });
}

const host = new ModelHost(log);
const locks = new KeyedMutex();
const inFlight = new Map<number, AbortController>();
const busy = new Set<SequenceName>();
let lastTokensPerSecond: number | undefined;
/** Embeddings wait while chat or completions generate (see embeddings.ts). */
const embeddings = new EmbeddingHost(host, () => busy.size > 0);

const idleWaiters = new Map<SequenceName, (() => void)[]>();

/** Generation on one sequence at a time; chat and completion sequences run side by side in one context. */
async function onSequence<T>(name: SequenceName, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    return locks.run(name, signal, async () => {
        busy.add(name);
        try {
            return await work();
        } finally {
            busy.delete(name);
            const waiters = idleWaiters.get(name) ?? [];
            idleWaiters.delete(name);
            // After the next queued request on this sequence has taken over (microtasks), so back-to-back
            // completions keep the floor and the waiter sees the sequence busy again.
            if (waiters.length > 0) setImmediate(() => waiters.forEach((w) => w()));
        }
    });
}

/** Resolves when `name` has no request running: chat prompts are evaluated between completions (chatPrefill.ts). */
async function whenIdle(name: SequenceName): Promise<void> {
    while (busy.has(name)) {
        await new Promise<void>((resolve) => idleWaiters.set(name, [...(idleWaiters.get(name) ?? []), resolve]));
    }
}

const handlers: Handlers = {
    loadModel: (params, ctx) => locks.run("model", ctx.signal, () => host.load(params, ctx.signal, ctx.emit)),
    unload: () => locks.run("model", undefined, async () => {
        const embedder = await locks.run("embedding", undefined, () => embeddings.unload());
        return { unloaded: (await host.unload()) || embedder };
    }),
    chat: async (params, ctx) => {
        const r = await onSequence("chat", ctx.signal, () => runChat(host.requireLoaded(), params, { ...ctx, yieldToCompletions: () => whenIdle("completion") }));
        lastTokensPerSecond = r.tokensPerSecond || lastTokensPerSecond;
        return r;
    },
    complete: (params, ctx) => onSequence(params.sequence, ctx.signal, () => runComplete(host.requireLoaded(), params, ctx)),
    infill: (params, ctx) => onSequence("completion", ctx.signal, () => runInfill(host.requireLoaded(), params, ctx)),
    tokenize: async (params) => {
        const { model } = host.requireLoaded();
        return { counts: params.texts.map((t) => model.tokenize(t, params.specialTokens ?? false).length) };
    },
    inspectModels: (params, ctx) => inspectModels(host, params, ctx.signal),
    downloadModel: (params, ctx) => locks.run(downloadLockKey(params), ctx.signal, () => downloadModel(params, ctx.signal, ctx.emit)),
    embed: (params, ctx) => locks.run("embedding", ctx.signal, () => embeddings.embed(params, ctx.signal)),
    stats: async (params) => {
        // On request: V8's heap saw-tooths by tens of MB between collections, which would hide a real trend.
        if (params.collectGarbage) collectGarbage();
        const loaded = host.current;
        let vram: { total: number; used: number; free: number } | undefined;
        if (loaded && host.backend !== "cpu" && host.backend !== "none") {
            const state = await loaded.model.llama.getVramState();
            vram = { total: state.total, used: state.used, free: state.free };
        }
        return {
            pid: process.pid,
            backend: host.backend,
            modelPath: loaded?.info.modelPath,
            contextSize: loaded?.context.contextSize,
            contextUsed: {
                chat: loaded?.sequences.chat.contextTokens.length ?? 0,
                completion: loaded?.sequences.completion.contextTokens.length ?? 0,
            },
            rssBytes: process.memoryUsage.rss(),
            heapBytes: heapBytes(),
            vram,
            lastTokensPerSecond,
            busy: [...busy],
        };
    },
};

function heapBytes(): { total: number; used: number } {
    const { heapTotal, heapUsed } = process.memoryUsage();
    return { total: heapTotal, used: heapUsed };
}

async function serve(message: RequestMessage): Promise<void> {
    const controller = new AbortController();
    inFlight.set(message.id, controller);
    const events = new EventCoalescer((event) => send({ type: "event", id: message.id, event }));
    const ctx = {
        signal: controller.signal,
        emit: (event: EventOf<EngineMethod>) => events.emit(event),
    };
    try {
        const handler = handlers[message.method] as (p: unknown, c: typeof ctx) => Promise<EngineMethods[EngineMethod]["result"]>;
        const result = await handler(message.params, ctx);
        events.flush();
        send({ type: "result", id: message.id, method: message.method, result } as EngineToHostMessage);
    } catch (err) {
        events.flush();
        const error = err instanceof EngineError ? err
            : controller.signal.aborted ? new EngineError("cancelled", "The request was cancelled.")
                : new EngineError("internal", `The engine failed: ${errorText(err)}`, err instanceof Error ? err.stack : undefined);
        if (error.code === "internal") log("error", `${message.method} #${message.id}: ${error.detail ?? error.message}`);
        send({ type: "error", id: message.id, error: error.toPayload() });
    } finally {
        inFlight.delete(message.id);
    }
}

async function shutdown(code: number): Promise<never> {
    for (const c of inFlight.values()) c.abort();
    try {
        await Promise.race([host.dispose(), new Promise((r) => setTimeout(r, 2000))]);
    } finally {
        process.exit(code);
    }
}

process.on("message", (raw: unknown) => {
    if (!isHostToEngineMessage(raw)) {
        log("warn", `Ignored a malformed message from the host: ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
    }
    switch (raw.type) {
        case "request":
            if (!(raw.method in handlers)) {
                send({ type: "error", id: raw.id, error: { code: "badRequest", message: `Unknown engine method “${raw.method}”.` } });
                return;
            }
            void serve(raw);
            return;
        case "cancel":
            inFlight.get(raw.id)?.abort();
            return;
        case "shutdown":
            void shutdown(0);
            return;
    }
});

// The host went away (closed the channel or died): never linger holding gigabytes of model.
process.on("disconnect", () => void shutdown(0));
process.on("unhandledRejection", (reason) => log("error", `Unhandled rejection in engine: ${errorText(reason)}`));

// CUDA binaries installed on request ("Hearth: Install CUDA Acceleration") live outside the extension folder.
const gpuPackages = registerGpuPackagesDir(process.env[GPU_PACKAGES_ENV]);
if (gpuPackages.kind === "registered") log("info", `GPU binary packages from ${gpuPackages.dir}: ${gpuPackages.packages.join(", ")}`);

send({ type: "ready", protocolVersion: ENGINE_PROTOCOL_VERSION, pid: process.pid, nodeVersion: process.version });
