/**
 * What each index covers, from the workspace and the settings: its folder on disk, its roots (workspace folders on
 * the local file system, or the library folders) and what to leave out.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { getSetting } from "../config/settings";
import type { IndexConfig, IndexRoot } from "../core/knowledge/knowledgeIndex";
import type { ExcludeSetting } from "../core/knowledge/ignoreRules";
import type { KnowledgeIndexKind } from "../protocol/knowledge";

/** Where each index lives: in the workspace's own storage, and (the library) in the global storage. */
export function indexDir(context: vscode.ExtensionContext, kind: KnowledgeIndexKind): string | undefined {
    if (kind === "library") return path.join(context.globalStorageUri.fsPath, "library-index");
    return context.storageUri ? path.join(context.storageUri.fsPath, "knowledge-index") : undefined;
}

function excludesFor(scope: vscode.ConfigurationScope | undefined): ExcludeSetting[] {
    const files = vscode.workspace.getConfiguration("files", scope).get<ExcludeSetting>("exclude") ?? {};
    const search = vscode.workspace.getConfiguration("search", scope).get<ExcludeSetting>("exclude") ?? {};
    return [plain(files), plain(search)];
}

function sizeLimits(): Pick<IndexConfig, "maxFileBytes" | "maxDocumentBytes"> {
    return {
        maxFileBytes: Math.max(1, getSetting("knowledge.maxFileSizeKB")) * 1024,
        maxDocumentBytes: Math.max(1, getSetting("knowledge.maxDocumentSizeMB")) * 1024 * 1024,
    };
}

/** The workspace index's configuration; undefined without a folder on the local file system or storage. */
export function workspaceIndexConfig(context: vscode.ExtensionContext): IndexConfig | undefined {
    const dir = indexDir(context, "workspace");
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file");
    if (!dir || folders.length === 0) return undefined;
    const extra = plain(getSetting("knowledge.exclude"));
    const roots: IndexRoot[] = folders.map((folder) => ({
        fsPath: folder.uri.fsPath,
        displayPrefix: folders.length > 1 ? `${folder.name}/` : "",
        exclude: excludesFor(folder.uri),
        extraExcludes: extra,
    }));
    return { dir, roots, ...sizeLimits() };
}

/** The library index's configuration; undefined when no library folder is set. */
export function libraryIndexConfig(context: vscode.ExtensionContext): IndexConfig | undefined {
    const folders = libraryFolders();
    if (folders.length === 0) return undefined;
    const extra = plain(getSetting("knowledge.exclude"));
    const roots: IndexRoot[] = folders.map((folder) => ({
        fsPath: folder,
        displayPrefix: `${path.basename(folder)}/`,
        // The library is not a workspace: VS Code's excludes of the open window do not apply, Hearth's do.
        exclude: [],
        extraExcludes: extra,
    }));
    return { dir: indexDir(context, "library")!, roots, ...sizeLimits() };
}

/** Configuration values are proxies that cannot be posted to the worker thread: copy them as plain data. */
function plain<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

export function libraryFolders(): string[] {
    return [...new Set(getSetting("library.folders").filter((f) => typeof f === "string" && path.isAbsolute(f)).map((f) => path.normalize(f)))];
}
