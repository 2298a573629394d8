/**
 * The disk fails while a chat turn saves (issue 15): a real chat turn with the real ConversationStore runs in a child
 * process where writes really fail — a 256 KB tmpfs in a private mount namespace that the child fills up (ENOSPC),
 * and a folder the child's user may not write (EACCES; as root the child runs as `nobody`). The turn reports every
 * failure, the answer still completes in memory, the chat file keeps its last saved version byte for byte, no temp
 * file is left eating space, and once space is free the next save writes the whole chat.
 *
 * Needs root or unprivileged user namespaces (`unshare --mount --map-root-user`); CI runs as root.
 */
import * as assert from "node:assert/strict";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import { storageProblem } from "../../src/core/storageErrors";
import { REPO_ROOT } from "../helpers/fixtures";
import { savedConversation, type StoreFaultReport } from "../helpers/storeFaultChild";

const CHILD = path.resolve(__dirname, "..", "helpers", "storeFaultChild.js");
const isRoot = process.getuid?.() === 0;

/**
 * The child as one file `nobody` can read: a checkout under a private folder (mktemp -d makes them 0700) is closed to
 * it, so the child and the product code it runs are bundled into a world-readable temporary folder.
 */
function childReadableByAnyone(): string {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-fault-child-"));
    fs.chmodSync(out, 0o755);
    const file = path.join(out, "storeFaultChild.js");
    esbuild.buildSync({ entryPoints: [path.join(REPO_ROOT, "test", "helpers", "storeFaultChild.ts")], bundle: true, platform: "node", format: "cjs", outfile: file, logLevel: "error" });
    fs.chmodSync(file, 0o644);
    return file;
}

function runChild(command: string, args: string[], options: SpawnSyncOptions = {}): StoreFaultReport {
    const r = spawnSync(command, args, { encoding: "utf8", timeout: 20_000, ...options });
    assert.equal(r.status, 0, `${command} ${args.join(" ")} failed (status ${r.status}, ${String(r.error ?? "")}):\n${String(r.stderr)}`);
    return JSON.parse(String(r.stdout).trim().split("\n").at(-1)!) as StoreFaultReport;
}

function assertPreviousVersionKept(report: StoreFaultReport, code: string): void {
    assert.ok(report.saveErrors.length > 0, "no save failed: the fault was not injected");
    for (const e of report.saveErrors) assert.equal(e.code, code, e.message);
    assert.equal(storageProblem(report.saveErrors[0]), code === "ENOSPC" ? "diskFull" : "noPermission");
    assert.equal(report.answerStatus, "complete", "the answer did not finish in memory");
    assert.equal(report.answerChars, 120 * 198);
    assert.equal(report.fileAfter, report.fileBefore, "the last saved version of the chat changed");
    const earlier = JSON.parse(report.fileAfter) as ReturnType<typeof savedConversation>;
    assert.deepEqual(earlier.messages, savedConversation().messages);
    assert.deepEqual(report.filesAfter.filter((f) => f.includes(".tmp-")), [], "a temp file was left behind");
}

describe("chat history on a failing disk", function () {
    this.timeout(60_000);
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-disk-faults-"))));
    afterEach(() => {
        fs.chmodSync(dir, 0o755);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("disk full (ENOSPC on a real 256 KB tmpfs): every save fails cleanly, the saved chat survives, the next save catches up", () => {
        const script = 'mount -t tmpfs -o size=256k hearth-enospc "$1" && exec "$2" "$3" "$1" fill-disk';
        const report = runChild("unshare", ["--mount", "--map-root-user", "sh", "-c", script, "sh", dir, process.execPath, CHILD]);
        assertPreviousVersionKept(report, "ENOSPC");
        assert.deepEqual(report.filesAfter, ["chat-diskfault.json", "filler"]);
        assert.deepEqual(report.afterSpaceFreed, {
            saved: true, messages: 4, lastText: "The hearth keeps the house warm. ".repeat(6 * 120),
        });
        console.log(`      ${report.saveErrors.length} saves failed with ENOSPC; the chat file kept its last version`);
    });

    it("no permission (EACCES): every save fails cleanly and the saved chat survives", () => {
        const store = new ConversationStore(dir);
        fs.writeFileSync(store.fileOf("diskfault"), JSON.stringify(savedConversation()));
        const options: SpawnSyncOptions = isRoot ? { uid: 65534, gid: 65534 } : {};
        // Readable by everyone, writable only by its owner: as root the child runs as `nobody`, otherwise the
        // folder is made read-only for its owner too.
        fs.chmodSync(dir, isRoot ? 0o755 : 0o555);
        const child = isRoot ? childReadableByAnyone() : CHILD;
        try {
            const report = runChild(process.execPath, [child, dir, "no-fill"], options);
            assertPreviousVersionKept(report, "EACCES");
            assert.deepEqual(report.filesAfter, ["chat-diskfault.json"]);
            console.log(`      ${report.saveErrors.length} saves failed with EACCES; the chat file kept its last version`);
        } finally {
            if (child !== CHILD) fs.rmSync(path.dirname(child), { recursive: true, force: true });
        }
    });
});
