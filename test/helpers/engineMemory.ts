/** Memory the engine process really uses, for leak checks (the 50-round test and the bench). */
import * as fs from "node:fs";
import type { StatsResult } from "../../src/protocol/engineProtocol";

/**
 * Resident memory minus what V8 holds committed but empty: after a full GC that is mostly the young generation,
 * which V8 grows to tens of MB under allocation and shrinks on its own timer (a -20% "drift" between two rounds
 * of the same chat was that, not the chat). A leak (JS objects or native memory) still shows in full.
 */
export function inUseBytes(stats: Pick<StatsResult, "rssBytes" | "heapBytes">): number {
    if (!stats.heapBytes) throw new Error("the engine's stats carry no heapBytes (an older engine?)");
    return stats.rssBytes - (stats.heapBytes.total - stats.heapBytes.used);
}

/** Peak resident set (VmHWM) and current private memory (RssAnon) of a process, from /proc (Linux). */
export function processMemory(pid: number): { peakRssBytes: number; rssAnonBytes: number } {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
    return { peakRssBytes: kb("VmHWM"), rssAnonBytes: kb("RssAnon") };
}
