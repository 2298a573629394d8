/**
 * `npm run check:recall -- --model PATH [--context 2048] [--rounds 40] [--max-tokens 256] [--lang en|zh]
 * [--threads N] [--gpu auto|cpu]`: does a long chat remember what was said first? Opt-in, for a real instruct model
 * (not part of `npm test`: tests never download models, and the fixtures are too small to understand a question).
 *
 * Round 1 states a fact, rounds 2…N-1 are unrelated writing tasks long enough to push it out of the context, round
 * N asks for the fact. Everything runs through the product's own path: runChatTurn for each answer and ChatMemory
 * (the running summary, written after each answer) on the EmbeddedBackend over the real engine process. It checks
 * that round 1 really was summarised away before the question (otherwise the check would prove nothing), prints the
 * summary and the answer, and exits 0 when the answer names the fact, 1 when it does not, 2 when it could not run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ChatMemory } from "../../src/chat/chatMemory";
import { runChatTurn, type ChatTurnMemory } from "../../src/chat/chatTurn";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import { buildSystemPrompt } from "../../src/core/chat/systemPrompt";
import { resolveThreads } from "../../src/core/settingsDefaults";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import { embeddedBackend, newEngineProcess } from "../helpers/embedded";

interface Options { model: string; context: number; rounds: number; maxTokens: number; lang: "en" | "zh"; threads: number; gpu: "auto" | "cpu" }

const SCRIPT = {
    en: {
        fact: "Please remember this for later: my project's code name is BLUE-HERON-7, and its deadline is the 14th of March.",
        task: (topic: string) => `Write a short paragraph (about 120 words) about ${topic}.`,
        question: "What is my project's code name? Answer with the code name only.",
        expected: /blue[\s-]*heron[\s-]*(7|seven)/i,
        topics: ["the history of bridges", "how bees make honey", "why the sky is blue", "the life of a lighthouse keeper", "how bread rises",
            "winter in the mountains", "the first railways", "how a compass works", "a day at a fishing harbour", "the night sky in autumn"],
    },
    zh: {
        fact: "请记住这件事，之后会用到：我的项目代号是“青鹭七号”，截止日期是三月十四日。",
        task: (topic: string) => `请写一段关于${topic}的短文（大约一百五十字）。`,
        question: "我的项目代号是什么？只回答代号。",
        expected: /青鹭\s*(七|7)\s*号?/,
        topics: ["桥梁的历史", "蜜蜂如何酿蜜", "天空为什么是蓝色的", "灯塔看守人的生活", "面包为什么会发酵",
            "山里的冬天", "最早的铁路", "指南针的原理", "渔港的一天", "秋天的夜空"],
    },
};

function parse(argv: string[]): Options {
    const value = (name: string) => {
        const i = argv.indexOf(`--${name}`);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const model = value("model");
    if (!model) throw new Error("Give the model: npm run check:recall -- --model /path/to/instruct-model.gguf");
    if (!fs.existsSync(model)) throw new Error(`No such file: ${model}`);
    const lang = value("lang") ?? "en";
    if (lang !== "en" && lang !== "zh") throw new Error("--lang is en or zh");
    const gpu = value("gpu") ?? "auto";
    if (gpu !== "auto" && gpu !== "cpu") throw new Error("--gpu is auto or cpu");
    return {
        model, lang, gpu,
        context: Number(value("context") ?? 2048),
        rounds: Math.max(3, Number(value("rounds") ?? 40)),
        maxTokens: Number(value("max-tokens") ?? 256),
        threads: resolveThreads(Number(value("threads") ?? 0), os.cpus().length),
    };
}

async function main(): Promise<number> {
    let o: Options;
    try {
        o = parse(process.argv.slice(2));
    } catch (err) {
        console.error(err instanceof Error ? err.message : String(err));
        return 2;
    }
    const script = SCRIPT[o.lang];
    const engine = newEngineProcess();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-recall-"));
    try {
        const backend = embeddedBackend(engine, { modelPath: o.model, contextSize: o.context, threads: o.threads, gpuLayers: "auto", sequences: 2, gpu: o.gpu });
        const model = await backend.ready();
        console.log(`model ${model.name}, context ${model.contextSize}, ${o.rounds} rounds, answers up to ${o.maxTokens} tokens, ${o.lang}`);
        const store = new ConversationStore(dir);
        const turnMemory: ChatTurnMemory = {};
        const c: Conversation = { id: "recall", title: "recall", createdAt: Date.now(), updatedAt: Date.now(), messages: [] };
        const systemPrompt = () => buildSystemPrompt("", c.messages.filter((m) => m.role === "user").at(-1)?.text ?? "");
        const memory = new ChatMemory({
            backend, memory: turnMemory, save: (x) => store.save(x),
            settings: () => ({ enabled: true, systemPrompt: systemPrompt(), maxTokens: o.maxTokens }),
            onDidChange: () => undefined, isAnswering: () => false, log: (m) => console.log(`  (memory) ${m}`),
        });
        let updates = 0;
        const started = performance.now();
        for (let round = 1; round <= o.rounds; round++) {
            const text = round === 1 ? script.fact : round === o.rounds ? script.question : script.task(script.topics[round % script.topics.length]!);
            const user: ChatMessageRecord = { id: `u${round}`, role: "user", text, status: "complete", createdAt: Date.now() };
            const answer: ChatMessageRecord = { id: `a${round}`, role: "assistant", text: "", status: "streaming", createdAt: Date.now() };
            c.messages.push(user, answer);
            await runChatTurn({
                backend, store, conversation: c, answer, memory: turnMemory, systemPrompt: systemPrompt(), maxTokens: o.maxTokens,
                temperature: 0.7, signal: new AbortController().signal, onDelta: () => undefined,
            });
            if (answer.status !== "complete" && answer.status !== "stopped") throw new Error(`round ${round}: ${answer.error ?? answer.status}`);
            if (round < o.rounds && (await memory.afterAnswer(c)) === "updated") updates++;
            const seconds = ((performance.now() - started) / 1000).toFixed(0);
            console.log(`round ${round}: ${answer.stats?.tokens ?? 0} tokens answered; ${c.messages.filter((m) => m.summarised).length} messages summarised; ${seconds} s`);
        }
        const first = c.messages[0]!;
        const answer = c.messages.at(-1)!.text.trim();
        console.log(`\nsummary (${c.summary?.tokens ?? 0} tokens, ${updates} updates):\n${c.summary?.text ?? "(none)"}\n`);
        console.log(`question: ${script.question}\nanswer:   ${answer}\n`);
        if (!first.summarised) {
            console.log("INCONCLUSIVE: the first message was still sent verbatim in the last round (use a smaller --context or more --rounds).");
            return 2;
        }
        const ok = script.expected.test(answer);
        console.log(ok ? "PASS: the fact from round 1 was recalled in the last round." : "FAIL: the answer does not name the fact from round 1.");
        return ok ? 0 : 1;
    } catch (err) {
        console.error(`check:recall could not run: ${err instanceof Error ? err.message : String(err)}`);
        return 2;
    } finally {
        engine.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

void main().then((code) => process.exit(code));
