/**
 * Conversations on disk: one JSON file per chat (`chat-<id>.json`) plus `state.json` (which chat is open), in the
 * extension's global storage. No index file that could disagree with the chats: the folder listing is the index.
 *
 * Writes are atomic: the JSON goes to a temp file that is fsync'ed and then renamed over the old one, after the
 * old one was copied to `.bak`. A crash mid-write leaves at worst a stray temp file (removed on the next load);
 * the chat file is always either the old or the new version. A file that does not parse (disk trouble, a hand
 * edit) is moved aside as `.corrupt-<time>`, its `.bak` is used when it is good, and the other chats load as usual;
 * every such event is reported in `problems` so the UI can say so.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Conversation } from "../../protocol/conversation";
import { isConversation, markUnfinished } from "./chatModel";

const CHAT_FILE = /^chat-([A-Za-z0-9_-]+)\.json$/;
const TEMP_MARK = ".tmp-";

export interface StoreState {
    currentId?: string;
}

export interface LoadResult {
    conversations: Conversation[];
    state: StoreState;
    /** Human-readable reports of files that were recovered or set aside. */
    problems: string[];
}

export async function atomicWriteFile(file: string, data: string): Promise<void> {
    const suffix = `${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const temp = `${file}${suffix}`;
    const bakTemp = `${file}.bak${suffix}`;
    try {
        const handle = await fs.open(temp, "w");
        try {
            await handle.writeFile(data, "utf8");
            await handle.sync();
        } finally {
            await handle.close();
        }
        // The backup goes through its own temp file: a copy that fails half-way (disk full) must not replace the
        // last good backup with a truncated one.
        try {
            await fs.copyFile(file, bakTemp);
            await fs.rename(bakTemp, `${file}.bak`);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        }
        await fs.rename(temp, file);
    } catch (err) {
        // A failed write (disk full, no permission) leaves the old file as it was and no partial temp file behind
        // to eat the space that is left.
        await Promise.all([fs.rm(temp, { force: true }), fs.rm(bakTemp, { force: true })]).catch(() => undefined);
        throw err;
    }
}

type ReadOutcome<T> = { value: T; problem?: string } | { value: undefined; problem: string };

/** Reads and validates a JSON file; on a corrupt file, sets it aside and falls back to its backup. */
export async function readJsonWithRecovery<T>(file: string, valid: (v: unknown) => v is T): Promise<ReadOutcome<T> | undefined> {
    const name = path.basename(file);
    let raw: string;
    try {
        raw = await fs.readFile(file, "utf8");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
    }
    const parsed = parseValid(raw, valid);
    if (parsed !== undefined) return { value: parsed };
    const aside = `${file}.corrupt-${Date.now()}`;
    await fs.rename(file, aside);
    const backup = await fs.readFile(`${file}.bak`, "utf8").then((b) => parseValid(b, valid), () => undefined);
    if (backup !== undefined) {
        await atomicWriteFile(file, JSON.stringify(backup));
        return { value: backup, problem: `${name} was damaged and was restored from its backup; the damaged copy is kept as ${path.basename(aside)}.` };
    }
    return { value: undefined, problem: `${name} could not be read and was set aside as ${path.basename(aside)}; the other chats are unaffected.` };
}

function parseValid<T>(raw: string, valid: (v: unknown) => v is T): T | undefined {
    try {
        const v: unknown = JSON.parse(raw);
        return valid(v) ? v : undefined;
    } catch {
        return undefined;
    }
}

function isState(v: unknown): v is StoreState {
    return typeof v === "object" && v !== null && (typeof (v as StoreState).currentId === "string" || (v as StoreState).currentId === undefined);
}

/** The last operation queued on a file; `started` once it runs (until then a later operation takes its place). */
interface QueuedOperation {
    operation: (file: string) => Promise<void>;
    started: boolean;
    done: Promise<void>;
}

export class ConversationStore {
    /** Per file, the last of its operations (see enqueue): a later save of a chat never lands before an earlier one. */
    private readonly queues = new Map<string, QueuedOperation>();

    constructor(readonly dir: string) {}

    fileOf(id: string): string {
        if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`Invalid chat id “${id}”.`);
        return path.join(this.dir, `chat-${id}.json`);
    }

    async load(): Promise<LoadResult> {
        await fs.mkdir(this.dir, { recursive: true });
        const names = await fs.readdir(this.dir);
        const problems: string[] = [];
        // Temp files are writes that never reached their rename (a crash): the real file is intact, drop them.
        await Promise.all(names.filter((n) => n.includes(TEMP_MARK)).map((n) => fs.rm(path.join(this.dir, n), { force: true })));
        const conversations: Conversation[] = [];
        for (const name of names) {
            if (!CHAT_FILE.test(name)) continue;
            const file = path.join(this.dir, name);
            const read = await readJsonWithRecovery(file, isConversation);
            if (read?.problem) problems.push(read.problem);
            if (!read?.value) continue;
            const conversation = read.value;
            if (markUnfinished(conversation)) await this.save(conversation);
            conversations.push(conversation);
        }
        conversations.sort((a, b) => b.updatedAt - a.updatedAt);
        const stateRead = await readJsonWithRecovery(path.join(this.dir, "state.json"), isState).catch(() => undefined);
        return { conversations, state: stateRead?.value ?? {}, problems };
    }

    save(conversation: Conversation): Promise<void> {
        return this.enqueue(this.fileOf(conversation.id), (file) => atomicWriteFile(file, JSON.stringify(conversation)));
    }

    saveState(state: StoreState): Promise<void> {
        return this.enqueue(path.join(this.dir, "state.json"), (file) => atomicWriteFile(file, JSON.stringify(state)));
    }

    delete(id: string): Promise<void> {
        return this.enqueue(this.fileOf(id), async (file) => {
            await fs.rm(file, { force: true });
            await fs.rm(`${file}.bak`, { force: true });
        });
    }

    /** Resolves when every queued write has landed (tests, shutdown). */
    async flush(): Promise<void> {
        await Promise.all([...this.queues.values()].map((queued) => queued.done));
    }

    /**
     * Operations on one file run in order. One that has not started yet takes the place of any later ones, since
     * only the last operation decides what the file holds: a chat streaming with a short save interval onto a slow
     * disk (each write copies, fsyncs and renames) queues at most one write behind the running one, instead of a
     * backlog that made a finished answer wait seconds for its final save (an engine test saw Stop take 1.4 s).
     */
    private enqueue(file: string, operation: (file: string) => Promise<void>): Promise<void> {
        const last = this.queues.get(file);
        if (last && !last.started) {
            last.operation = operation;
            return last.done;
        }
        const queued: QueuedOperation = { operation, started: false, done: Promise.resolve() };
        queued.done = (last?.done ?? Promise.resolve()).catch(() => undefined).then(async () => {
            queued.started = true;
            await fs.mkdir(this.dir, { recursive: true });
            await queued.operation(file);
        });
        this.queues.set(file, queued);
        void queued.done.finally(() => { if (this.queues.get(file) === queued) this.queues.delete(file); }).catch(() => undefined);
        return queued.done;
    }
}
