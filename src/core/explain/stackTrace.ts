/**
 * Finds file:line references in error text and stack traces so Explain Error can show the model the code they
 * point at. Formats: Node/V8 ("at fn (/a/b.js:10:5)"), Python ('File "x.py", line 3'), Java
 * ("at pkg.Cls.m(Cls.java:42)"), Go ("\t/a/b.go:12 +0x1d"), Rust ("--> src/main.rs:4:5" and panics
 * "at src/main.rs:4:5"), TypeScript compiler ("src/a.ts(3,7): error TS2322" and "src/a.ts:3:7 - error TS2322").
 */

export type TraceFormat = "node" | "python" | "java" | "go" | "rust" | "typescript" | "generic";

export interface FileReference {
    /** The path as written in the trace (absolute, relative, or a bare file name for Java). */
    path: string;
    /** 1-based. */
    line: number;
    /** 1-based, when the trace gives one. */
    column?: number;
    format: TraceFormat;
    /** Java only: the fully qualified class, which locates the file (com/acme/Foo.java) in source folders. */
    javaClass?: string;
}

interface Pattern {
    format: TraceFormat;
    re: RegExp;
    map(m: RegExpExecArray): FileReference | undefined;
}

const num = (s: string | undefined) => (s === undefined ? undefined : Number.parseInt(s, 10));

const PATTERNS: Pattern[] = [
    {
        // tsc --pretty false: src/app.ts(12,5): error TS2345: ...
        format: "typescript",
        re: /^\s*([^\s()][^()\n]*?\.(?:[cm]?tsx?|[cm]?jsx?))\((\d+),(\d+)\): (?:error|warning) TS\d+/gm,
        map: (m) => ({ path: m[1]!, line: num(m[2])!, column: num(m[3]), format: "typescript" }),
    },
    {
        // tsc --pretty: src/app.ts:12:5 - error TS2345: ...
        format: "typescript",
        re: /^\s*([^\s:][^\n:]*?\.(?:[cm]?tsx?|[cm]?jsx?)):(\d+):(\d+) - (?:error|warning) TS\d+/gm,
        map: (m) => ({ path: m[1]!, line: num(m[2])!, column: num(m[3]), format: "typescript" }),
    },
    {
        // Python: File "/app/main.py", line 12, in handler
        format: "python",
        re: /File "([^"\n]+)", line (\d+)/g,
        map: (m) => ({ path: m[1]!, line: num(m[2])!, format: "python" }),
    },
    {
        // Java: at com.acme.Service.run(Service.java:42)
        format: "java",
        re: /^\s*at ((?:[\w$]+\.)+)[\w$<>]+\(([\w$]+\.(?:java|kt|scala|groovy)):(\d+)\)/gm,
        map: (m) => {
            const pkgAndClass = m[1]!.replace(/\.$/, "");
            return { path: m[2]!, line: num(m[3])!, format: "java", javaClass: pkgAndClass.replace(/\$.*$/, "") };
        },
    },
    {
        // Node/V8: at fn (/app/src/x.js:10:5), at /app/x.js:10:5, at async fn (file:///app/x.mjs:3:1)
        format: "node",
        re: /^\s*at (?:.*? \()?((?:file:\/\/)?(?:[A-Za-z]:[\\/]|\/|\.{1,2}[\\/]|[\w@.-]+[\\/])[^():\n]*?\.(?:[cm]?[jt]sx?|vue|svelte)):(\d+):(\d+)\)?\s*$/gm,
        map: (m) => ({ path: m[1]!, line: num(m[2])!, column: num(m[3]), format: "node" }),
    },
    {
        // Go: \t/home/u/app/main.go:12 +0x1d   and   ./main.go:12:3: undefined: x
        format: "go",
        re: /^\s*((?:[A-Za-z]:[\\/]|\/|\.{1,2}\/)?[^\s:]*?\.go):(\d+)(?::(\d+))?(?: \+0x[0-9a-f]+|:)/gm,
        map: (m) => ({ path: m[1]!, line: num(m[2])!, column: num(m[3]), format: "go" }),
    },
    {
        // Rust compiler: --> src/main.rs:4:5 ; panic: panicked at src/main.rs:4:5: ; backtrace: at ./src/lib.rs:9:13
        format: "rust",
        re: /(?:-->\s+|panicked at |^\s+at )((?:[A-Za-z]:[\\/]|\/|\.{1,2}\/)?[^\s:'"]+?\.rs):(\d+):(\d+)/gm,
        map: (m) => ({ path: m[1]!, line: num(m[2])!, column: num(m[3]), format: "rust" }),
    },
    {
        // Anything else that looks like path.ext:line[:col] (eslint, gcc, mypy, pytest summaries).
        format: "generic",
        re: /(?:^|[\s(["'])((?:[A-Za-z]:[\\/]|\/|\.{1,2}[\\/])?(?:[\w@.+-]+[\\/])*[\w@.+-]+\.[A-Za-z][\w]{0,9}):(\d+)(?::(\d+))?/gm,
        map: (m) => (/^\d/.test(m[1]!) ? undefined : { path: m[1]!, line: num(m[2])!, column: num(m[3]), format: "generic" }),
    },
];

/** Paths inside runtimes and dependencies: true trace frames, but not the user's code. */
export function isLibraryPath(p: string): boolean {
    return /(?:^|[\\/])(?:node_modules|site-packages|dist-packages|\.cargo[\\/]registry|rustc[\\/][0-9a-f]+|go[\\/]src[\\/]runtime|pkg[\\/]mod)[\\/]/.test(p)
        || /^(?:node:|internal[\\/]|<)/.test(p)
        || /^\/rustc\//.test(p)
        || /^\/usr\/(?:local\/)?lib\/python/.test(p);
}

/**
 * Every distinct file:line in `text`, in order of appearance; library frames last (they rarely explain the bug).
 * Specific formats win over the generic pattern at the same position.
 */
export function extractFileReferences(text: string, limit = 20): FileReference[] {
    const found: { index: number; ref: FileReference }[] = [];
    const taken = new Set<string>();
    for (const pattern of PATTERNS) {
        pattern.re.lastIndex = 0;
        for (let m = pattern.re.exec(text); m; m = pattern.re.exec(text)) {
            const ref = pattern.map(m);
            if (!ref || !Number.isFinite(ref.line) || ref.line < 1) continue;
            ref.path = ref.path.replace(/^file:\/\//, "");
            const key = `${ref.path}:${ref.line}`;
            if (taken.has(key)) continue;
            taken.add(key);
            found.push({ index: m.index, ref });
        }
    }
    found.sort((a, b) => a.index - b.index);
    const user = found.filter((f) => !isLibraryPath(f.ref.path)).map((f) => f.ref);
    const libs = found.filter((f) => isLibraryPath(f.ref.path)).map((f) => f.ref);
    return [...user, ...libs].slice(0, limit);
}

/** Candidate workspace-relative paths for a Java frame: com.acme.Foo + Foo.java -> com/acme/Foo.java. */
export function javaRelativePath(ref: FileReference): string | undefined {
    if (!ref.javaClass) return undefined;
    const segments = ref.javaClass.split(".");
    segments.pop();
    return segments.length ? `${segments.join("/")}/${ref.path}` : ref.path;
}
