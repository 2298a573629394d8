/**
 * A process that writes a knowledge index as fast as it can, for the crash test (test/unit/knowledgeStore.test.ts):
 * each round rewrites every file of the root with the next version number, brings the index up to date (full sync
 * with a lexical snapshot on even rounds, watcher-style updates on odd ones) and then prints "committed <version>".
 * The test SIGKILLs it at random moments and checks the index left behind.
 * Usage: node indexWriterChild.js <indexDir> <rootDir> <files> <firstVersion>
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { KnowledgeIndex } from "../../src/core/knowledge/knowledgeIndex";

export function versionText(file: number, version: number): string {
    // Several paragraphs so each file is a few chunks, every one naming the version.
    return Array.from({ length: 6 }, (_, p) => `File ${file} paragraph ${p} version v${version}. ${"Lorem ipsum dolor sit amet. ".repeat(12)}`).join("\n\n");
}

async function main(): Promise<void> {
    const [dir, root, filesArg, firstArg] = process.argv.slice(2);
    const files = Number(filesArg);
    const { index, notice } = await KnowledgeIndex.open({
        dir: dir!, roots: [{ fsPath: root!, displayPrefix: "", exclude: [], extraExcludes: [] }], maxFileBytes: 1 << 20, maxDocumentBytes: 1 << 26,
    });
    if (notice) throw new Error(`child saw a damaged index: ${notice.detail}`);
    for (let version = Number(firstArg); ; version++) {
        const paths: string[] = [];
        for (let f = 0; f < files; f++) {
            const file = path.join(root!, `f${f}.md`);
            await fs.writeFile(file, versionText(f, version));
            paths.push(file);
        }
        process.stdout.write(`writing ${version}\n`);
        if (version % 2 === 0) await index.sync();
        else await index.updatePaths(paths);
        process.stdout.write(`committed ${version}\n`);
    }
}

if (require.main === module) {
    main().catch((err: unknown) => {
        process.stderr.write(`${String(err)}\n`);
        process.exit(1);
    });
}
