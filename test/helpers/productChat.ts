/**
 * A chat driven exactly as the chat panel drives it (ChatController.send → runChatTurn): the product's planner with
 * the kept history start, its system prompt, its saves to a real ConversationStore, on a real backend. For the
 * 50-round test and the chat benchmarks. The backend is only watched (overrideBackend forwards every call) so each
 * turn also reports what was sent and the engine's result (prompt tokens, tokens re-evaluated).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LlmBackend } from "../../src/backend/llmBackend";
import { runChatTurn, type ChatTurnMemory } from "../../src/chat/chatTurn";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import { buildSystemPrompt } from "../../src/core/chat/systemPrompt";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import type { ChatParams, GenerationResult } from "../../src/protocol/generation";
import { overrideBackend } from "./embedded";

export interface TurnOptions {
    maxTokens: number;
    temperature: number;
    /** The user's own system instructions (hearth.chat.systemPrompt). */
    instructions?: string;
    signal?: AbortSignal;
    onDelta?: (text: string) => void;
}

export interface TurnOutcome {
    answer: ChatMessageRecord;
    /** What the turn sent to the backend (planned messages, answer budget, sampling). */
    params: ChatParams;
    result: GenerationResult;
}

export class ProductChat {
    readonly memory: ChatTurnMemory = {};
    readonly conversation: Conversation;
    readonly store: ConversationStore;
    private readonly dir: string;
    private round = 0;

    constructor(private readonly backend: LlmBackend, storageDir?: string) {
        this.dir = storageDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "hearth-chat-"));
        this.store = new ConversationStore(this.dir);
        const now = Date.now();
        this.conversation = { id: `bench${now.toString(36)}`, title: "bench", createdAt: now, updatedAt: now, messages: [] };
    }

    /** One user turn: appends the prompt and a streaming answer, runs the product's turn, returns what happened. */
    async turn(prompt: string, o: TurnOptions): Promise<TurnOutcome> {
        const n = ++this.round;
        const now = Date.now();
        const user: ChatMessageRecord = { id: `u${n}`, role: "user", text: prompt, status: "complete", createdAt: now };
        const answer: ChatMessageRecord = { id: `a${n}`, role: "assistant", text: "", status: "streaming", createdAt: now };
        this.conversation.messages.push(user, answer);
        let params: ChatParams | undefined;
        let result: GenerationResult | undefined;
        const watched = overrideBackend(this.backend, {
            chat: async (p, options) => {
                params = p;
                result = await this.backend.chat(p, options);
                return result;
            },
        });
        await runChatTurn({
            backend: watched,
            store: this.store,
            conversation: this.conversation,
            answer,
            memory: this.memory,
            // As ChatController.send builds it.
            systemPrompt: buildSystemPrompt(o.instructions ?? "", prompt),
            maxTokens: o.maxTokens,
            temperature: o.temperature,
            signal: o.signal ?? new AbortController().signal,
            onDelta: o.onDelta ?? (() => undefined),
        });
        if (!params || !result) throw new Error(`chat turn ${n} did not reach the backend: ${answer.status} ${answer.error ?? ""}`);
        return { answer, params, result };
    }

    dispose(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
