/**
 * The sentence shown when saving the chat history fails: what happened (disk full, no permission, read-only disk)
 * and what to do. Every save writes the whole chat, so the next save that works catches up.
 */
import * as vscode from "vscode";
import { errorText } from "../core/errorText";
import { storageProblem } from "../core/storageErrors";

/** What a failed save means and what to do; every save writes the whole chat, so the next one that works catches up. */
export function saveErrorMessage(err: unknown, dir: string): string {
    const t = vscode.l10n.t;
    switch (storageProblem(err)) {
        case "diskFull":
            return t("Hearth could not save the chat history: the disk is full. Free some space; the chat stays open and is saved with its next change. The last saved version is kept.");
        case "noPermission":
            return t("Hearth could not save the chat history: no permission to write to {0}. The chat stays open; the last saved version is kept.", dir);
        case "readOnly":
            return t("Hearth could not save the chat history: the disk holding {0} is read-only. The chat stays open; the last saved version is kept.", dir);
        default:
            return t("Hearth could not save the chat history: {0}", errorText(err));
    }
}
