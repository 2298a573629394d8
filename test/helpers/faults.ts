/**
 * Fault injection for the integration tests: SIGKILL the real engine process while requests are pending and measure
 * how long each pending request takes to settle (the promise the feature awaits, not a lower layer).
 */
import * as assert from "node:assert/strict";
import type { EngineProcess } from "../../src/engineClient/engineProcess";

/** Issue 15: every pending request settles within this long after the engine is killed. */
export const SETTLE_LIMIT_MS = 2000;

export interface Settled {
    name: string;
    ms: number;
    outcome: "resolved" | "rejected";
    value?: unknown;
    error?: unknown;
}

/**
 * Kills the engine with SIGKILL and waits for every pending promise to settle, failing (not hanging) when one does
 * not settle within twice the limit. Returns how long each took after the kill.
 */
export async function killAndSettle(engine: EngineProcess, pending: Record<string, Promise<unknown>>): Promise<{ pid: number; settled: Settled[] }> {
    const pid = engine.pid;
    assert.ok(pid, "the engine is not running");
    const killedAt = performance.now();
    process.kill(pid, "SIGKILL");
    const settled = await Promise.all(Object.entries(pending).map(async ([name, promise]): Promise<Settled> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<Settled>((resolve) => {
            timer = setTimeout(() => resolve({ name, ms: Infinity, outcome: "rejected", error: new Error("did not settle") }), SETTLE_LIMIT_MS * 2);
        });
        const outcome = promise.then(
            (value): Settled => ({ name, ms: performance.now() - killedAt, outcome: "resolved", value }),
            (error: unknown): Settled => ({ name, ms: performance.now() - killedAt, outcome: "rejected", error }),
        );
        try {
            return await Promise.race([outcome, timeout]);
        } finally {
            clearTimeout(timer);
        }
    }));
    for (const s of settled) {
        assert.ok(s.ms <= SETTLE_LIMIT_MS, `${s.name} settled ${Number.isFinite(s.ms) ? `${s.ms.toFixed(0)} ms` : "never"} after the kill (limit ${SETTLE_LIMIT_MS} ms)`);
    }
    return { pid, settled };
}

/** True once `pid` no longer exists (signal 0 probes without touching the process). */
export function processGone(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return false;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "ESRCH";
    }
}

/** Resolves when `predicate` holds; rejects after `timeoutMs` naming `what`. */
export async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}

/** The sentence a request lost to a killed engine carries: it says what happened and what happens next. */
export const KILLED_MESSAGE = /Hearth's engine was killed \(SIGKILL\)\. The request was lost; Hearth restarts the engine on the next request\./;
