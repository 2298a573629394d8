/** A chat saved into the e2e profile before a window opens (the panel then shows it as the current chat). */
import * as fs from "node:fs";
import * as path from "node:path";
import { RUN_ROOT } from "./session";

/** Writes chat `id` with `messages` and makes it the current chat; the returned function puts everything back. */
export function seedSavedChat(id: string, title: string, messages: (now: number) => unknown[]): () => void {
    const dir = path.join(RUN_ROOT, "profile", "User", "globalStorage", "hearth-local.hearth", "chats");
    fs.mkdirSync(dir, { recursive: true });
    const stateFile = path.join(dir, "state.json");
    const previousState = fs.existsSync(stateFile) ? fs.readFileSync(stateFile, "utf8") : undefined;
    const now = Date.now();
    fs.writeFileSync(path.join(dir, `chat-${id}.json`), JSON.stringify({ id, title, createdAt: now, updatedAt: now, messages: messages(now) }));
    fs.writeFileSync(stateFile, JSON.stringify({ currentId: id }));
    return () => {
        fs.rmSync(path.join(dir, `chat-${id}.json`), { force: true });
        fs.rmSync(path.join(dir, `chat-${id}.json.bak`), { force: true });
        if (previousState === undefined) fs.rmSync(stateFile, { force: true });
        else fs.writeFileSync(stateFile, previousState);
    };
}
