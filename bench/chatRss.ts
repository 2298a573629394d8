/**
 * 7. chat50_rss_drift: engine RSS after round 50 ÷ after round 10 of one long chat. Each round is planned with the
 * chat panel's own budgeting (planRequest from src/core/chat/budget.ts, token counts from the engine's tokenize
 * op, cached as the panel does), so old turns are dropped once the context is full, exactly as in the product.
 * RSS is read after a full garbage collection in the engine (stats { collectGarbage }), so it shows memory still
 * in use rather than when V8 last collected. The context is 2048 tokens here so that dropping starts well before round 50. The full run chats with the
 * generated model; --quick with the stories260K chat-template fixture (same Jinja chat path, a fraction of the
 * time: once old turns are dropped every round re-evaluates the whole prompt, ~2 s a round on the generated model).
 */
import { cachedCounter, planRequest } from "../src/core/chat/budget";
import type { ChatMessageRecord } from "../src/protocol/conversation";
import { loadParams, log, newEngine, round, type BenchOptions } from "./lib";

const ROUNDS = 50;
const CONTEXT = 2048;

const QUESTIONS = [
    "How do I read a file line by line in Node.js?",
    "Explain the difference between let and const.",
    "What does this regular expression do: ^\\d{3}-\\d{4}$ ?",
    "Translate 'the build failed because a test timed out' into Chinese.",
    "Suggest a better name for a function called doStuff that parses dates.",
    "Why is my TypeScript union not narrowing inside a callback?",
    "Write a haiku about compilers.",
];

export async function measureChatRss(modelPath: string, options: BenchOptions) {
    const maxTokens = options.quick ? 16 : 48;
    const engine = newEngine();
    const history: ChatMessageRecord[] = [];
    const rss: Record<number, number> = {};
    let dropped = 0;
    try {
        const info = await engine.request("loadModel", { ...loadParams(modelPath, options), contextSize: CONTEXT });
        const count = cachedCounter(async (texts) => (await engine.request("tokenize", { texts })).counts);
        for (let round = 1; round <= ROUNDS; round++) {
            const prompt = `${QUESTIONS[round % QUESTIONS.length]} (round ${round})`;
            const plan = await planRequest({
                systemPrompt: "You are Hearth, a helpful assistant in VS Code.",
                history, prompt, attachments: [], contextSize: info.contextSize, maxTokens,
            }, count);
            dropped = Math.max(dropped, plan.droppedMessages);
            const r = await engine.request("chat", { messages: plan.messages, maxTokens: plan.answerTokens, sampling: { temperature: 0 } });
            const now = Date.now();
            history.push({ id: `u${round}`, role: "user", text: prompt, status: "complete", createdAt: now });
            history.push({ id: `a${round}`, role: "assistant", text: r.text, status: "complete", createdAt: now });
            if (round === 10 || round === ROUNDS) {
                rss[round] = (await engine.request("stats", { collectGarbage: true })).rssBytes;
                log(`  chat round ${round}: engine RSS ${(rss[round]! / 2 ** 20).toFixed(1)} MiB, context used ${r.contextUsed}/${r.contextSize}, `
                    + `${plan.droppedMessages} old messages dropped`);
            }
        }
    } finally {
        engine.dispose();
    }
    return {
        chat50_rss_drift: round(rss[ROUNDS]! / rss[10]!, 4),
        chat50_rss_mib_round10: round(rss[10]! / 2 ** 20, 1),
        chat50_rss_mib_round50: round(rss[ROUNDS]! / 2 ** 20, 1),
        chat50_dropped_messages_max: dropped,
    };
}
