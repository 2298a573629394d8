/**
 * What a failed write to Hearth's own storage (chat history, indexes) means for the user: the disk is full, Hearth may
 * not write there, or the disk is read-only. The host turns the kind into a sentence that says what to do; the
 * error's own text ("ENOSPC: no space left on device, open …") stays in the log.
 */
export type StorageProblem = "diskFull" | "noPermission" | "readOnly" | "other";

export function storageProblem(err: unknown): StorageProblem {
    const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
    switch (code) {
        case "ENOSPC":
        case "EDQUOT":
            return "diskFull";
        case "EACCES":
        case "EPERM":
            return "noPermission";
        case "EROFS":
            return "readOnly";
        default:
            return "other";
    }
}
