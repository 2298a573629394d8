/**
 * The knowledge capability: the index service (shared with chat through services.knowledge), its status bar item
 * and commands: Rebuild Index, Clear Index, Add Folder to Library…, Remove Folder from Library…, cancel.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { formatBytes } from "../core/formatBytes";
import { getSetting, onDidChangeSetting, updateSetting } from "../config/settings";
import type { KnowledgeIndexKind } from "../protocol/knowledge";
import type { Embedder } from "../backend/embedder";
import { libraryFolders } from "./knowledgeConfig";
import { KnowledgeService } from "./knowledgeService";
import { KnowledgeStatusBar } from "./knowledgeStatusBar";

/** Indexing starts this long after activation, so it never competes with the window's own start-up. */
const START_DELAY_MS = 3000;

export function createKnowledgeService(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, embedder?: Embedder): KnowledgeService {
    const script = vscode.Uri.joinPath(context.extensionUri, "dist", "knowledgeWorker.js").fsPath;
    const service = new KnowledgeService(context, log, script, embedder);
    context.subscriptions.push(service, new KnowledgeStatusBar(service));
    const timer = setTimeout(() => service.start(), START_DELAY_MS);
    context.subscriptions.push({ dispose: () => clearTimeout(timer) });
    return service;
}

export function registerKnowledge(context: vscode.ExtensionContext, service: KnowledgeService): void {
    const reloadWorkspace = (): void => void service.reload("workspace");
    context.subscriptions.push(
        vscode.commands.registerCommand("hearth.knowledge.rebuild", async (kind?: KnowledgeIndexKind) => {
            const target = kind ?? (await pickKind(service, vscode.l10n.t("Rebuild which index?")));
            if (target) await service.rebuild(target);
        }),
        vscode.commands.registerCommand("hearth.knowledge.clear", async (kind?: KnowledgeIndexKind, options?: { confirm?: boolean }) => {
            const target = kind ?? (await pickKind(service, vscode.l10n.t("Clear which index?")));
            if (!target) return;
            if (options?.confirm !== false) {
                const status = service.status(target);
                const clear = vscode.l10n.t("Clear Index");
                const answer = await vscode.window.showWarningMessage(
                    vscode.l10n.t("Delete Hearth's {0} index ({1} files, {2} on disk)? Your files are not touched. It is not rebuilt until you run Hearth: Rebuild Index.",
                        service.kindLabel(target), status.files, formatBytes(status.bytesOnDisk)),
                    { modal: true }, clear);
                if (answer !== clear) return;
            }
            await service.clear(target);
        }),
        vscode.commands.registerCommand("hearth.knowledge.cancel", () => service.cancelBuilds()),
        vscode.commands.registerCommand("hearth.library.addFolder", async (uris?: vscode.Uri[]) => {
            const picked = uris ?? (await vscode.window.showOpenDialog({
                canSelectFolders: true, canSelectFiles: false, canSelectMany: true,
                openLabel: vscode.l10n.t("Add to Library"), title: vscode.l10n.t("Hearth: Add Folder to Library"),
            }));
            const folders = (picked ?? []).filter((u) => u.scheme === "file").map((u) => u.fsPath);
            if (!folders.length) return;
            await updateSetting("library.folders", [...new Set([...getSetting("library.folders"), ...folders])]);
        }),
        vscode.commands.registerCommand("hearth.library.removeFolder", async (folder?: string) => {
            const current = libraryFolders();
            if (!current.length) {
                void vscode.window.showInformationMessage(vscode.l10n.t("Your Hearth library has no folders yet. Add one with Hearth: Add Folder to Library…"));
                return;
            }
            const target = folder ?? (await vscode.window.showQuickPick(
                current.map((f) => ({ label: path.basename(f), description: f, folder: f })),
                { title: vscode.l10n.t("Hearth: Remove Folder from Library"), placeHolder: vscode.l10n.t("Its files are not touched; only the index forgets them.") },
            ))?.folder;
            if (!target) return;
            await updateSetting("library.folders", getSetting("library.folders").filter((f) => path.normalize(f) !== path.normalize(target)));
        }),
        onDidChangeSetting(["library.folders", "knowledge.exclude", "knowledge.maxFileSizeKB", "knowledge.maxDocumentSizeMB", "knowledge.enabled"], () => {
            void service.reload("library");
            reloadWorkspace();
        }),
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration("files.exclude") || e.affectsConfiguration("search.exclude")) reloadWorkspace();
        }),
        vscode.workspace.onDidChangeWorkspaceFolders(reloadWorkspace),
    );
}

async function pickKind(service: KnowledgeService, title: string): Promise<KnowledgeIndexKind | undefined> {
    const kinds: KnowledgeIndexKind[] = ["workspace", "library"];
    const items = kinds.map((kind) => {
        const status = service.status(kind);
        return {
            indexKind: kind,
            label: kind === "workspace" ? vscode.l10n.t("Workspace index") : vscode.l10n.t("Library index"),
            description: vscode.l10n.t("{0} files · {1}", status.files, formatBytes(status.bytesOnDisk)),
        };
    });
    const picked = await vscode.window.showQuickPick(items, { title });
    return picked?.indexKind;
}
