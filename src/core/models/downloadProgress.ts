/**
 * Maps the engine's download progress events ({downloadedBytes, totalBytes}) to what a progress notification shows:
 * the percent increment since the last report (VS Code's progress API is incremental), a smoothed speed and the time
 * left. Pure and clock-injected so the arithmetic is unit-tested.
 */
import { formatBytes } from "../formatBytes";

export interface DownloadProgressView {
    /** 0..100 */
    percent: number;
    /** Percent points since the previous report; what `progress.report({increment})` wants. */
    increment: number;
    bytesPerSecond: number | undefined;
    secondsLeft: number | undefined;
    downloadedBytes: number;
    totalBytes: number;
}

export class DownloadProgressTracker {
    private reportedPercent = 0;
    private lastSample: { at: number; bytes: number } | undefined;
    private speed: number | undefined;

    /** @param startBytes bytes already on disk when this session started (a resumed download). */
    constructor(startBytes: number, startedAt: number, private readonly smoothing = 0.3) {
        this.lastSample = { at: startedAt, bytes: startBytes };
    }

    update(downloadedBytes: number, totalBytes: number, now: number): DownloadProgressView {
        const percent = totalBytes > 0 ? Math.min(100, Math.max(0, (downloadedBytes / totalBytes) * 100)) : 0;
        const increment = Math.max(0, percent - this.reportedPercent);
        this.reportedPercent = Math.max(this.reportedPercent, percent);
        // Speed from samples at least 0.5 s apart, smoothed, so one bursty chunk does not make the estimate jump.
        const last = this.lastSample;
        if (last && now - last.at >= 500 && downloadedBytes >= last.bytes) {
            const instant = ((downloadedBytes - last.bytes) * 1000) / (now - last.at);
            this.speed = this.speed === undefined ? instant : this.speed + this.smoothing * (instant - this.speed);
            this.lastSample = { at: now, bytes: downloadedBytes };
        }
        const secondsLeft = this.speed && this.speed > 0 && totalBytes > downloadedBytes
            ? Math.ceil((totalBytes - downloadedBytes) / this.speed) : undefined;
        return { percent, increment, bytesPerSecond: this.speed, secondsLeft, downloadedBytes, totalBytes };
    }
}

/** 42 → "42 s", 150 → "3 min", 7300 → "2 h 2 min". */
export function formatDuration(seconds: number): string {
    if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    const h = Math.floor(seconds / 3600);
    const m = Math.round((seconds % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
}

/** "1.2 GB of 4.4 GB · 12.3 MB/s" — the parts that are known. */
export function formatTransfer(view: DownloadProgressView): string {
    const parts = [view.totalBytes > 0 ? `${formatBytes(view.downloadedBytes)} / ${formatBytes(view.totalBytes)}` : formatBytes(view.downloadedBytes)];
    if (view.bytesPerSecond !== undefined) parts.push(`${formatBytes(view.bytesPerSecond)}/s`);
    return parts.join(" · ");
}
