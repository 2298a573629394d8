import * as assert from "node:assert/strict";
import * as path from "node:path";
import { GitignoreStack, GlobExcludes } from "../../src/core/knowledge/ignoreRules";
import { isFileExcluded, walkFiles } from "../../src/core/knowledge/walkFiles";
import { tempDir, writeTree } from "../helpers/knowledgeFiles";

describe("knowledge ignore rules", () => {
    it("VS Code globs: files.exclude, search.exclude, conditional `when`, extra globs", () => {
        const ex = new GlobExcludes([{ "**/node_modules": true, "**/*.js": { when: "$(basename).ts" }, "**/keep": false }, { "dist/**": true }], ["**/drafts/**"]);
        assert.ok(ex.excludes("node_modules"));
        assert.ok(ex.excludes("a/b/node_modules"));
        assert.ok(ex.excludes("dist/x.txt"));
        assert.ok(ex.excludes("notes/drafts/a.md"));
        assert.ok(!ex.excludes("keep"));
        assert.ok(ex.excludes("src/a.js", new Set(["a.js", "a.ts"])), "a.js next to a.ts is excluded");
        assert.ok(!ex.excludes("src/b.js", new Set(["b.js"])), "b.js alone is not");
        assert.ok(!ex.excludes("src/a.ts", new Set(["a.js", "a.ts"])));
    });

    it("nested .gitignore files with negation and folder-only patterns", () => {
        const stack = new GitignoreStack();
        stack.push("", "*.log\nbuild/\n!important.log\n");
        const pop = stack.push("sub", "secret.txt\n/local-only.md\n");
        assert.ok(stack.ignores("a.log", false));
        assert.ok(!stack.ignores("important.log", false));
        assert.ok(stack.ignores("build", true));
        assert.ok(!stack.ignores("build", false), "build/ matches folders only");
        assert.ok(stack.ignores("sub/secret.txt", false));
        assert.ok(stack.ignores("sub/deeper/secret.txt", false));
        assert.ok(stack.ignores("sub/local-only.md", false));
        assert.ok(!stack.ignores("sub/deeper/local-only.md", false), "anchored to its folder");
        assert.ok(!stack.ignores("secret.txt", false), "a sub-folder's rules do not apply above it");
        pop();
        assert.ok(!stack.ignores("sub/secret.txt", false));
    });

    it("the walk applies all rules, the size cap and skips .git; isFileExcluded agrees for single paths", async () => {
        const root = await tempDir("walk");
        await writeTree(root, {
            ".gitignore": "*.log\nout/\n",
            "src/a.ts": "export const a = 1;",
            "src/a.js": "exports.a = 1;",
            "src/b.js": "exports.b = 1;",
            "debug.log": "x",
            "out/bundle.js": "x",
            "node_modules/lib/index.js": "x",
            "docs/.gitignore": "private/\n",
            "docs/private/diary.md": "x",
            "docs/guide.md": "# Guide",
            "docs/drafts/wip.md": "x",
            ".git/config": "x",
            "big.txt": "y".repeat(3000),
        });
        const excludes = new GlobExcludes([{ "**/node_modules": true, "**/*.js": { when: "$(basename).ts" } }], ["**/drafts/**"]);
        const options = { excludes, maxFileBytes: 2000, maxDocumentBytes: 1e6 };
        const seen = [];
        for await (const f of walkFiles(root, options)) seen.push(f.skipped ? `${f.relPath} (${f.skipped})` : f.relPath);
        assert.deepEqual(seen.sort(), [".gitignore", "big.txt (tooLarge)", "docs/.gitignore", "docs/guide.md", "src/a.ts", "src/b.js"]);
        for (const rel of ["debug.log", "out/bundle.js", "node_modules/lib/index.js", "docs/private/diary.md", "docs/drafts/wip.md", ".git/config", "src/a.js"]) {
            assert.ok(await isFileExcluded(root, rel, options), `${rel} is excluded`);
        }
        for (const rel of ["docs/guide.md", "src/b.js", "src/a.ts"]) assert.ok(!(await isFileExcluded(root, rel, options)), `${rel} is included`);
        assert.equal(path.isAbsolute(root), true);
    });
});
