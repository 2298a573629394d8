/**
 * Walks a root folder lazily (an async generator: one folder listing in memory at a time), pruning excluded
 * folders before entering them, and yields the files the index should look at with their size and mtime.
 * Symbolic links to folders are not followed (they can loop); links to files are.
 */
import type { Dirent } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { GitignoreStack, type GlobExcludes } from "./ignoreRules";

export interface WalkOptions {
    excludes: GlobExcludes;
    /** Honour .gitignore files (default true). */
    gitignore?: boolean;
    /** Files larger than this are skipped (reported with `skipped: "tooLarge"`). PDF/DOCX use `maxDocumentBytes`. */
    maxFileBytes: number;
    maxDocumentBytes: number;
    signal?: AbortSignal;
}

export interface WalkedFile {
    fsPath: string;
    /** Root-relative, "/"-separated. */
    relPath: string;
    size: number;
    mtimeMs: number;
    skipped?: "tooLarge";
}

const DOCUMENT = /\.(pdf|docx)$/i;

export function isDocumentFile(name: string): boolean {
    return DOCUMENT.test(name);
}

export async function* walkFiles(root: string, options: WalkOptions): AsyncGenerator<WalkedFile> {
    const gitignore = new GitignoreStack();
    const useGitignore = options.gitignore !== false;

    async function* visit(dir: string, relDir: string): AsyncGenerator<WalkedFile> {
        options.signal?.throwIfAborted();
        let entries: Dirent[];
        try {
            entries = await fs.readdir(dir, { withFileTypes: true });
        } catch {
            return; // vanished or unreadable folder: nothing to index there
        }
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        let pop: (() => void) | undefined;
        if (useGitignore && entries.some((e) => e.name === ".gitignore" && !e.isDirectory())) {
            const content = await fs.readFile(path.join(dir, ".gitignore"), "utf8").catch(() => "");
            pop = gitignore.push(relDir, content);
        }
        const names = new Set(entries.map((e) => e.name));
        try {
            for (const entry of entries) {
                const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
                const full = path.join(dir, entry.name);
                if (entry.name === ".git") continue;
                let isDir = entry.isDirectory();
                let isFile = entry.isFile();
                if (entry.isSymbolicLink()) {
                    const target = await fs.stat(full).catch(() => undefined);
                    if (!target?.isFile()) continue;
                    isDir = false;
                    isFile = true;
                }
                if (options.excludes.excludes(rel, names)) continue;
                if (useGitignore && gitignore.ignores(rel, isDir)) continue;
                if (isDir) {
                    yield* visit(full, rel);
                } else if (isFile) {
                    const stat = await fs.stat(full).catch(() => undefined);
                    if (!stat) continue;
                    const cap = isDocumentFile(entry.name) ? options.maxDocumentBytes : options.maxFileBytes;
                    yield { fsPath: full, relPath: rel, size: stat.size, mtimeMs: stat.mtimeMs, ...(stat.size > cap ? { skipped: "tooLarge" as const } : {}) };
                }
            }
        } finally {
            pop?.();
        }
    }

    yield* visit(root, "");
}

/**
 * Whether one file (root-relative) is excluded, for updates from the file watcher: checks the globs, every
 * .gitignore from the root down to the file's folder, and the size cap.
 */
export async function isFileExcluded(root: string, relPath: string, options: Omit<WalkOptions, "signal">): Promise<boolean> {
    const parts = relPath.split("/");
    if (parts.includes(".git")) return true;
    const stack = new GitignoreStack();
    for (let i = 0; i < parts.length; i++) {
        const relDir = parts.slice(0, i).join("/");
        if (options.gitignore !== false) {
            const content = await fs.readFile(path.join(root, relDir, ".gitignore"), "utf8").catch(() => undefined);
            if (content !== undefined) stack.push(relDir, content);
        }
        const rel = parts.slice(0, i + 1).join("/");
        const isDir = i < parts.length - 1;
        const siblings = isDir ? undefined : new Set(await fs.readdir(path.join(root, relDir)).catch(() => [] as string[]));
        if (options.excludes.excludes(rel, siblings)) return true;
        if (options.gitignore !== false && stack.ignores(rel, isDir)) return true;
    }
    return false;
}
