/**
 * Latest-wins scheduling for inline completions: every new request supersedes the previous one. A superseded
 * request that is still debouncing never starts; one that is running has its AbortSignal aborted (the engine stops
 * generating) and resolves to undefined. A new request only starts once the previous run has settled, so at most
 * one generation is ever in flight. Plain TypeScript (timers only), unit-tested without VS Code or the engine.
 */

export interface SchedulerStats {
    scheduled: number;
    started: number;
    /** Superseded or cancelled while debouncing or waiting for the previous run: never reached the engine. */
    droppedBeforeStart: number;
    /** Superseded or cancelled while running: their signal was aborted. */
    abortedWhileRunning: number;
    completed: number;
    failed: number;
    inFlight: number;
    maxInFlight: number;
}

export interface SchedulerEvents {
    /** A running request was aborted (superseded or cancelled); `at` is the clock value at the abort. */
    onAbortRunning?(id: number, at: number): void;
    onStart?(id: number, at: number): void;
    onSettle?(id: number, at: number, outcome: "completed" | "aborted" | "failed"): void;
}

interface Pending {
    id: number;
    controller: AbortController;
    running: boolean;
}

export class LatestOnlyScheduler {
    private nextId = 1;
    private latest: Pending | undefined;
    private running: Promise<unknown> | undefined;
    readonly stats: SchedulerStats = {
        scheduled: 0, started: 0, droppedBeforeStart: 0, abortedWhileRunning: 0, completed: 0, failed: 0, inFlight: 0, maxInFlight: 0,
    };

    constructor(
        private readonly debounceMs: () => number,
        private readonly events: SchedulerEvents = {},
        private readonly now: () => number = () => performance.now(),
    ) {}

    /**
     * Runs `run` after the debounce unless a newer request arrives first or `signal` aborts.
     * Resolves to undefined when superseded or cancelled; rejects only when `run` itself fails.
     */
    async schedule<T>(run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
        this.stats.scheduled++;
        this.cancel();
        const me: Pending = { id: this.nextId++, controller: new AbortController(), running: false };
        this.latest = me;
        const onExternalAbort = () => this.abort(me);
        signal?.addEventListener("abort", onExternalAbort, { once: true });
        if (signal?.aborted) this.abort(me);
        try {
            await delay(this.debounceMs(), me.controller.signal);
            // The previous run was aborted when we superseded it; wait until the engine has really let go of it.
            while (this.running && !me.controller.signal.aborted) await this.running.catch(() => undefined);
            if (me.controller.signal.aborted) {
                this.stats.droppedBeforeStart++;
                return undefined;
            }
            return await this.start(me, run);
        } finally {
            signal?.removeEventListener("abort", onExternalAbort);
            if (this.latest === me) this.latest = undefined;
        }
    }

    /** Nothing debouncing, waiting or running. */
    get idle(): boolean {
        return this.latest === undefined && this.running === undefined;
    }

    /** Aborts the newest request (debouncing or running). */
    cancel(): void {
        if (this.latest) this.abort(this.latest);
    }

    private abort(p: Pending): void {
        if (p.controller.signal.aborted) return;
        if (p.running) {
            this.stats.abortedWhileRunning++;
            this.events.onAbortRunning?.(p.id, this.now());
        }
        p.controller.abort();
    }

    private async start<T>(me: Pending, run: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
        me.running = true;
        this.stats.started++;
        this.stats.inFlight++;
        this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.stats.inFlight);
        this.events.onStart?.(me.id, this.now());
        const promise = run(me.controller.signal);
        this.running = promise;
        let outcome: "completed" | "aborted" | "failed" = "completed";
        try {
            const value = await promise;
            if (me.controller.signal.aborted) {
                outcome = "aborted";
                return undefined;
            }
            this.stats.completed++;
            return value;
        } catch (err) {
            if (me.controller.signal.aborted) {
                outcome = "aborted";
                return undefined;
            }
            outcome = "failed";
            this.stats.failed++;
            throw err;
        } finally {
            me.running = false;
            this.stats.inFlight--;
            if (this.running === promise) this.running = undefined;
            this.events.onSettle?.(me.id, this.now(), outcome);
        }
    }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, ms));
        function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
        signal.addEventListener("abort", done, { once: true });
    });
}
