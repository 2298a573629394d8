import { EngineError } from "../protocol/engineProtocol";

/**
 * One holder per key at a time, in arrival order. A waiter whose signal aborts leaves the queue at once, so a
 * superseded completion never runs after the user typed on.
 */
export class KeyedMutex {
    private readonly tails = new Map<string, Promise<void>>();

    async run<T>(key: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
        const previous = this.tails.get(key) ?? Promise.resolve();
        let release!: () => void;
        const mine = new Promise<void>((resolve) => (release = resolve));
        const tail = previous.then(() => mine);
        this.tails.set(key, tail);
        try {
            await waitOrAbort(previous, signal);
            return await work();
        } finally {
            release();
            if (this.tails.get(key) === tail) this.tails.delete(key);
        }
    }
}

function waitOrAbort(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return p;
    if (signal.aborted) return Promise.reject(new EngineError("cancelled", "The request was cancelled."));
    return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new EngineError("cancelled", "The request was cancelled."));
        signal.addEventListener("abort", onAbort, { once: true });
        p.then(() => {
            signal.removeEventListener("abort", onAbort);
            resolve();
        }, reject);
    });
}
