/**
 * Host side of the engine: forks the engine process, speaks engineProtocol to it, and restarts it after a crash
 * with the policy of VS Code's language client (restart on the next request; after 3 crashes within 60 s stop
 * and say why until the user restarts it). Free of `vscode` so the integration tests drive it from plain Node.
 */
import { fork, type ChildProcess } from "node:child_process";
import { ENGINE_EXEC_ARGV, engineEnvironment } from "./engineAllocator";
import {
    ENGINE_PROTOCOL_VERSION,
    EngineError,
    isEngineToHostMessage,
    type EngineMethod,
    type EngineToHostMessage,
    type EventOf,
    type HostToEngineMessage,
    type ParamsOf,
    type ResultOf,
} from "../protocol/engineProtocol";

export interface RequestOptions<M extends EngineMethod> {
    signal?: AbortSignal;
    onEvent?: (event: EventOf<M>) => void;
}

export type EngineState =
    | { kind: "notStarted" }
    | { kind: "starting" }
    | { kind: "running"; pid: number }
    | { kind: "crashed"; reason: string }
    | { kind: "stopped"; reason: string };

export interface EngineLogger {
    (level: "trace" | "debug" | "info" | "warn" | "error", message: string): void;
}

export interface EngineProcessOptions {
    /** Absolute path of the bundled engine entry (dist/engine.mjs). */
    enginePath: string;
    log: EngineLogger;
    /** Defaults to process.execPath; under VS Code that is Electron, run as Node via ELECTRON_RUN_AS_NODE. */
    execPath?: string;
    env?: NodeJS.ProcessEnv;
    /** Node/V8 flags of the engine process; defaults to ENGINE_EXEC_ARGV (tests compare against others). */
    execArgv?: readonly string[];
    readyTimeoutMs?: number;
    maxCrashes?: number;
    crashWindowMs?: number;
}

interface Pending {
    method: EngineMethod;
    resolve(value: unknown): void;
    reject(error: EngineError): void;
    onEvent?: (event: never) => void;
    cleanup(): void;
}

export class EngineProcess {
    private child: ChildProcess | undefined;
    private starting: Promise<ChildProcess> | undefined;
    private nextId = 1;
    private readonly pending = new Map<number, Pending>();
    private readonly crashTimes: number[] = [];
    private stateValue: EngineState = { kind: "notStarted" };
    private readonly listeners = new Set<(state: EngineState) => void>();
    private disposed = false;

    constructor(private readonly options: EngineProcessOptions) {}

    get state(): EngineState {
        return this.stateValue;
    }

    get pid(): number | undefined {
        return this.child?.pid;
    }

    onDidChangeState(listener: (state: EngineState) => void): { dispose(): void } {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
    }

    /** Starts the process if it is not running; resolves once it said `ready`. */
    async start(): Promise<void> {
        await this.ensureChild();
    }

    /** Explicit restart by the user: forgets the crash history, then starts fresh. */
    async restart(): Promise<void> {
        this.crashTimes.length = 0;
        await this.stopChild("Hearth's engine was restarted.");
        this.setState({ kind: "notStarted" });
        await this.ensureChild();
    }

    async request<M extends EngineMethod>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
        if (options.signal?.aborted) throw new EngineError("cancelled", "The request was cancelled.");
        const child = await this.ensureChild();
        const id = this.nextId++;
        return new Promise<ResultOf<M>>((resolve, reject) => {
            const onAbort = () => this.post({ type: "cancel", id });
            options.signal?.addEventListener("abort", onAbort, { once: true });
            this.pending.set(id, {
                method,
                resolve: resolve as (v: unknown) => void,
                reject,
                onEvent: options.onEvent as ((e: never) => void) | undefined,
                cleanup: () => options.signal?.removeEventListener("abort", onAbort),
            });
            if (!this.post({ type: "request", id, method, params } as HostToEngineMessage, child)) {
                this.settle(id, new EngineError("engineCrashed", "Hearth's engine is not reachable; it will restart on the next request."));
            }
        });
    }

    dispose(): void {
        this.disposed = true;
        void this.stopChild("Hearth is shutting down.");
        this.listeners.clear();
    }

    private setState(state: EngineState): void {
        this.stateValue = state;
        for (const l of this.listeners) l(state);
    }

    private post(message: HostToEngineMessage, child = this.child): boolean {
        if (!child?.connected) return false;
        try {
            child.send(message);
            return true;
        } catch {
            return false;
        }
    }

    private ensureChild(): Promise<ChildProcess> {
        if (this.disposed) return Promise.reject(new EngineError("engineStopped", "Hearth is shutting down."));
        if (this.child?.connected && this.stateValue.kind === "running") return Promise.resolve(this.child);
        if (this.stateValue.kind === "stopped") {
            return Promise.reject(new EngineError("engineStopped", this.stateValue.reason));
        }
        this.starting ??= this.spawn().finally(() => (this.starting = undefined));
        return this.starting;
    }

    private spawn(): Promise<ChildProcess> {
        this.setState({ kind: "starting" });
        const started = Date.now();
        const child = fork(this.options.enginePath, [], {
            execPath: this.options.execPath,
            execArgv: [...(this.options.execArgv ?? ENGINE_EXEC_ARGV)],
            env: { ...engineEnvironment({ ...process.env, ...this.options.env }), ELECTRON_RUN_AS_NODE: "1" },
            stdio: ["ignore", "pipe", "pipe", "ipc"],
            serialization: "json",
        });
        this.child = child;
        child.stdout?.on("data", (d: Buffer) => this.options.log("debug", `[engine] ${d.toString().trimEnd()}`));
        child.stderr?.on("data", (d: Buffer) => this.options.log("warn", `[engine] ${d.toString().trimEnd()}`));
        return new Promise<ChildProcess>((resolve, reject) => {
            let ready = false;
            const timer = setTimeout(() => {
                if (ready) return;
                child.kill("SIGKILL");
                reject(new EngineError("engineCrashed", `Hearth's engine did not start within ${(this.options.readyTimeoutMs ?? 30000) / 1000} s. See the Hearth log.`));
            }, this.options.readyTimeoutMs ?? 30000);
            child.on("message", (raw: unknown) => {
                if (!isEngineToHostMessage(raw)) {
                    this.options.log("warn", "Ignored a malformed message from the engine.");
                    return;
                }
                if (raw.type === "ready" && !ready) {
                    ready = true;
                    clearTimeout(timer);
                    if (raw.protocolVersion !== ENGINE_PROTOCOL_VERSION) {
                        // A stale dist/engine.mjs next to a newer extension (or the reverse) would misread every message.
                        (child as { hearthExpectedExit?: boolean }).hearthExpectedExit = true;
                        child.kill("SIGKILL");
                        const reason = `Hearth's engine speaks protocol version ${raw.protocolVersion}, but this extension needs version ${ENGINE_PROTOCOL_VERSION}. Reinstall Hearth so both come from the same package.`;
                        this.setState({ kind: "stopped", reason });
                        reject(new EngineError("engineStopped", reason));
                        return;
                    }
                    this.options.log("info", `Engine ready (pid ${raw.pid}, ${raw.nodeVersion}) in ${Date.now() - started} ms`);
                    this.setState({ kind: "running", pid: raw.pid });
                    resolve(child);
                    return;
                }
                if (raw.type !== "ready") this.onMessage(raw);
            });
            child.on("error", (err) => this.options.log("error", `Engine process error: ${err.message}`));
            child.on("exit", (code, signal) => {
                clearTimeout(timer);
                if (this.child === child) this.child = undefined;
                const expected = this.disposed || this.stateValue.kind === "stopped" || (child as { hearthExpectedExit?: boolean }).hearthExpectedExit;
                const reason = signal ? `Hearth's engine was killed (${signal})` : `Hearth's engine exited with code ${code}`;
                this.failAll(expected ? "engineStopped" : "engineCrashed",
                    expected ? "Hearth's engine was stopped." : `${reason}. The request was lost; Hearth restarts the engine on the next request.`);
                if (!ready) reject(new EngineError("engineCrashed", `${reason} while starting. See the Hearth log.`));
                if (expected) return;
                this.options.log("error", `${reason}.`);
                this.recordCrash(reason);
            });
        });
    }

    private recordCrash(reason: string): void {
        const now = Date.now();
        const windowMs = this.options.crashWindowMs ?? 60_000;
        this.crashTimes.push(now);
        while (this.crashTimes.length && now - this.crashTimes[0]! > windowMs) this.crashTimes.shift();
        if (this.crashTimes.length >= (this.options.maxCrashes ?? 3)) {
            this.setState({
                kind: "stopped",
                reason: `Hearth's engine crashed ${this.crashTimes.length} times in ${Math.round(windowMs / 1000)} s (last: ${reason}), so it will not be restarted automatically. Check the log, then restart it.`,
            });
        } else {
            this.setState({ kind: "crashed", reason });
        }
    }

    private onMessage(message: Exclude<EngineToHostMessage, { type: "ready" }>): void {
        switch (message.type) {
            case "log":
                this.options.log(message.level, message.message);
                return;
            case "event":
                this.pending.get(message.id)?.onEvent?.(message.event as never);
                return;
            case "result":
                this.settle(message.id, undefined, message.result);
                return;
            case "error":
                this.settle(message.id, EngineError.fromPayload(message.error));
                return;
        }
    }

    private settle(id: number, error: EngineError | undefined, result?: unknown): void {
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        p.cleanup();
        if (error) p.reject(error);
        else p.resolve(result);
    }

    private failAll(code: "engineCrashed" | "engineStopped", message: string): void {
        for (const id of [...this.pending.keys()]) this.settle(id, new EngineError(code, message));
    }

    private async stopChild(reason: string): Promise<void> {
        const child = this.child;
        if (!child) return;
        (child as { hearthExpectedExit?: boolean }).hearthExpectedExit = true;
        this.failAll("engineStopped", reason);
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        if (!this.post({ type: "shutdown" }, child)) child.kill("SIGKILL");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
    }
}
