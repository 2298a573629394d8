/**
 * What the index leaves out, decided the way VS Code and git decide it:
 * - `.gitignore` files (at every level, each relative to its folder) through the `ignore` library, which implements
 *   git's rules (negation, anchoring, directory-only patterns);
 * - `files.exclude` and `search.exclude` globs (VS Code's glob syntax through picomatch, relative to the root; a
 *   `{ "when": "$(basename).ts" }` condition excludes a file only when that sibling exists), and Hearth's own
 *   `hearth.knowledge.exclude` globs;
 * - files over the size cap (the walker checks sizes; see walkFiles).
 */
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";

/** VS Code's exclude setting shape: glob → true/false or a sibling condition. */
export type ExcludeSetting = Record<string, boolean | { when: string }>;

interface GlobRule {
    match: (path: string) => boolean;
    /** `$(basename).ts`-style condition; the rule applies only when the sibling exists. */
    when?: string;
}

export class GlobExcludes {
    private readonly rules: GlobRule[] = [];

    constructor(settings: readonly ExcludeSetting[], extraGlobs: readonly string[] = []) {
        for (const setting of settings) {
            for (const [glob, value] of Object.entries(setting)) {
                if (value === false || value === null || value === undefined) continue;
                const when = typeof value === "object" && typeof value.when === "string" ? value.when : undefined;
                this.rules.push({ match: picomatch(stripLeadingSlash(glob), { dot: true }), ...(when ? { when } : {}) });
            }
        }
        for (const glob of extraGlobs) {
            if (glob.trim()) this.rules.push({ match: picomatch(stripLeadingSlash(glob.trim()), { dot: true }) });
        }
    }

    /**
     * Whether `relPath` (root-relative, "/"-separated) is excluded. `siblings` (names in the same folder) decides
     * conditional rules; without it they do not apply.
     */
    excludes(relPath: string, siblings?: ReadonlySet<string>): boolean {
        for (const rule of this.rules) {
            if (!rule.match(relPath)) continue;
            if (!rule.when) return true;
            if (siblings && siblings.has(expandWhen(rule.when, relPath))) return true;
        }
        return false;
    }
}

function stripLeadingSlash(glob: string): string {
    return glob.replace(/^\.?\//, "");
}

/** `$(basename).ts` for "src/a.js" → "a.ts" (the sibling name to look for). */
function expandWhen(when: string, relPath: string): string {
    const name = relPath.slice(relPath.lastIndexOf("/") + 1);
    const dot = name.lastIndexOf(".");
    const basename = dot > 0 ? name.slice(0, dot) : name;
    return when.replace(/\$\(basename\)/g, basename);
}

/** The .gitignore files met on the way down from the root, innermost last. */
export class GitignoreStack {
    private readonly layers: { dir: string; rules: Ignore }[] = [];

    /** Adds a folder's .gitignore (`dir` root-relative, "" for the root). Returns a function that removes it. */
    push(dir: string, content: string): () => void {
        const layer = { dir, rules: ignore({ allowRelativePaths: true }).add(content) };
        this.layers.push(layer);
        return () => {
            const i = this.layers.lastIndexOf(layer);
            if (i >= 0) this.layers.splice(i, 1);
        };
    }

    /** Whether `relPath` (root-relative) is ignored; `isDir` for folders (patterns like `build/`). */
    ignores(relPath: string, isDir: boolean): boolean {
        let ignored = false;
        for (const { dir, rules } of this.layers) {
            const inner = dir ? (relPath.startsWith(`${dir}/`) ? relPath.slice(dir.length + 1) : undefined) : relPath;
            if (inner === undefined || inner === "") continue;
            const result = rules.test(isDir ? `${inner}/` : inner);
            if (result.ignored) ignored = true;
            else if (result.unignored) ignored = false;
        }
        return ignored;
    }
}
