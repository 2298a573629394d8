/**
 * The longest event-loop block of the extension host during an action, measured two ways:
 *  - perf_hooks.monitorEventLoopDelay: how late a 5 ms timer fired (wall clock). On a shared 2-core machine this
 *    also counts time the process simply was not given a CPU (other builds running), which no code of ours causes;
 *  - the same ticks weighed with the main thread's own CPU time from /proc/thread-self/schedstat (Linux): a block
 *    counts only as long as the thread was really running (JS, or a GC pause in it). This is the figure that says
 *    whether code in the extension host blocks it; the wall figure is printed beside it.
 */
import * as fs from "node:fs";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";

export interface LoopBlocks {
    /** Longest block by monitorEventLoopDelay (wall clock, ms). */
    wallMs: number;
    /** Longest block during which the main thread was running (ms); equals wallMs where schedstat is missing. */
    runningMs: number;
    /** Longest garbage-collection pause in the window (ms). */
    gcMs: number;
}

const SCHEDSTAT = "/proc/thread-self/schedstat";
const TICK_MS = 5;

/** Nanoseconds the calling thread has spent on a CPU, or undefined where Linux's schedstat is not available. */
function runNanos(): number | undefined {
    try {
        return Number(fs.readFileSync(SCHEDSTAT, "utf8").split(" ")[0]);
    } catch {
        return undefined;
    }
}

/** Runs `action` and measures the blocks during it and the `settleMs` after (listeners and timers it started). */
export async function measureLoopBlocks<T>(action: () => Promise<T> | Thenable<T>, settleMs = 300): Promise<{ result: T } & LoopBlocks> {
    const histogram = monitorEventLoopDelay({ resolution: TICK_MS });
    let gcMs = 0;
    const gc = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs = Math.max(gcMs, e.duration); });
    gc.observe({ entryTypes: ["gc"] });
    let runningMs = 0;
    let lastWall = performance.now();
    let lastRun = runNanos();
    const timer = setInterval(() => {
        const wall = performance.now();
        const run = runNanos();
        const lateMs = wall - lastWall - TICK_MS;
        const ranMs = run !== undefined && lastRun !== undefined ? (run - lastRun) / 1e6 : lateMs;
        runningMs = Math.max(runningMs, Math.min(lateMs, ranMs));
        lastWall = wall;
        lastRun = run;
    }, TICK_MS);
    histogram.enable();
    try {
        const result = await action();
        await new Promise((r) => setTimeout(r, settleMs));
        const wallMs = histogram.max / 1e6;
        // The main thread cannot have run longer without a break than the loop was ever late: a tick that saw more
        // (156 ms against a loop delay of 4 ms in a CI run) counted CPU time spent before the window between two ticks.
        return { result, wallMs, runningMs: Math.max(0, Math.min(runningMs, wallMs + TICK_MS)), gcMs };
    } finally {
        histogram.disable();
        clearInterval(timer);
        gc.disconnect();
    }
}
