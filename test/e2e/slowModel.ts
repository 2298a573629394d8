/**
 * A random-weight model slow enough to watch: the fixture stories260K answers a whole chat turn in a fraction of a
 * second, too fast to press Stop while it streams. This one keeps stories260K-chat-fim's tokenizer and chat template,
 * never emits end-of-generation, and runs a few hundred tokens/s on one CPU thread; its output is gibberish by design.
 * Written once into .cache/e2e-models/ (git-ignored) and reused.
 */
import * as path from "node:path";
import { fixture, REPO_ROOT } from "../helpers/fixtures";
import { ensureRandomGguf } from "../helpers/ggufWriter";

export const SLOW_MODEL_CONTEXT = 4096;

export async function slowChatModel(): Promise<string> {
    const written = await ensureRandomGguf(path.join(REPO_ROOT, ".cache", "e2e-models"), {
        name: "e2e-slow-chat",
        layers: 6,
        embedding: 768,
        heads: 12,
        feedForward: 2048,
        contextLength: SLOW_MODEL_CONTEXT,
        vocab: { kind: "copy", from: fixture("stories260K-chat-fim.derived.gguf") },
        neverGenerate: "eog",
        tensorType: "Q8_0",
    });
    return written.path;
}

/** User settings of the flows that must watch an answer stream (chat, explain): the slow generated model. */
export async function slowModelSettings(): Promise<Record<string, unknown>> {
    return { "hearth.model": await slowChatModel(), "hearth.contextSize": SLOW_MODEL_CONTEXT, "hearth.chat.maxTokens": 3000 };
}
