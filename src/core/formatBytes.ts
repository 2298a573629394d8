/** 1536 → "2 KB", 5_000_000 → "4.8 MB", 4.4e9 → "4.1 GB" (binary units, as file managers show model sizes). */
export function formatBytes(bytes: number): string {
    if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
    if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
    return `${Math.max(bytes > 0 ? 1 : 0, Math.round(bytes / 1024))} KB`;
}
