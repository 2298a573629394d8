/**
 * One 50-round chat through the product's chat turn (test/helpers/productChat.ts → runChatTurn: the planner with
 * the kept history start, real token counts, the conversation saved as the panel saves it), on a 2048-token
 * context so old turns are dropped well before round 50.
 *
 *   chat50_rss_drift         engine memory in use after round 50 ÷ after round 10: RSS after a full GC in the
 *                            engine (stats { collectGarbage }) minus V8's committed but empty heap (its young
 *                            generation shrinks on V8's own timer; see test/helpers/engineMemory.ts).
 *   chat50_reeval_tokens_p50 prompt tokens the engine re-evaluated per round once trimming has begun. The goal is
 *                            the new user message + the previous answer (chat50_reeval_budget_p50: those two
 *                            texts' tokens plus their template tokens): the kept history start stays in the KV cache.
 *
 * The full run chats with the generated model; --quick with the stories260K chat-template fixture (same Jinja
 * chat path, a fraction of the time).
 */
import { SETTINGS_DEFAULTS } from "../src/core/settingsDefaults";
import { EmbeddedBackend } from "../src/engineClient/embeddedBackend";
import { assertFinished } from "../test/helpers/answerStatus";
import { inUseBytes } from "../test/helpers/engineMemory";
import { ProductChat } from "../test/helpers/productChat";
import { loadParams, log, median, newEngine, round, type BenchOptions } from "./lib";

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

export async function measureChat50(modelPath: string, options: BenchOptions) {
    const maxTokens = options.quick ? 16 : 48;
    const engine = newEngine();
    const backend = new EmbeddedBackend(engine, { loadParams: () => ({ ...loadParams(modelPath, options), contextSize: CONTEXT }) });
    const chat = new ProductChat(backend);
    const rss: Record<number, number> = {};
    const reeval: number[] = [];
    const budget: number[] = [];
    let dropped = 0;
    let fullReevalRounds = 0;
    try {
        for (let round = 1; round <= ROUNDS; round++) {
            const prompt = `${QUESTIONS[round % QUESTIONS.length]} (round ${round})`;
            const previousAnswer = chat.conversation.messages.at(-1);
            const trimmingBegun = dropped > 0;
            const { answer, params, result } = await chat.turn(prompt, { maxTokens, temperature: SETTINGS_DEFAULTS["chat.temperature"] });
            // Finished: "cut" exactly when it used its whole allowance, else "complete" (the 50-round test's rule).
            assertFinished(answer, params.maxTokens, `round ${round}`);
            if (trimmingBegun && previousAnswer) {
                const [user, previous] = (await backend.countTokens([prompt, previousAnswer.text])).counts;
                const overhead = chat.memory.overheadPerMessage ?? 0;
                const allowed = user! + previous! + 2 * overhead;
                reeval.push(result.evaluatedPromptTokens);
                budget.push(allowed);
                if (result.evaluatedPromptTokens > allowed) fullReevalRounds++;
            }
            dropped = Math.max(dropped, answer.droppedMessages ?? 0);
            if (round === 10 || round === ROUNDS) {
                rss[round] = inUseBytes(await engine.request("stats", { collectGarbage: true }));
                log(`  chat round ${round}: engine memory in use ${(rss[round]! / 2 ** 20).toFixed(1)} MiB, context used ${result.contextUsed}/${result.contextSize}, `
                    + `${answer.droppedMessages ?? 0} old messages left out, ${result.evaluatedPromptTokens} of ${result.promptTokens} prompt tokens evaluated`);
            }
        }
    } finally {
        chat.dispose();
        backend.dispose();
        engine.dispose();
    }
    if (!reeval.length) throw new Error("history was never trimmed: the 50-round chat did not exercise trimming");
    log(`  once trimming began (${reeval.length} rounds): re-evaluated p50 ${median(reeval)} tokens (new message + previous answer p50 ${median(budget)}); `
        + `${fullReevalRounds} round(s) re-evaluated more (the kept start moved)`);
    return {
        chat50_rss_drift: round(rss[ROUNDS]! / rss[10]!, 4),
        chat50_rss_mib_round10: round(rss[10]! / 2 ** 20, 1),
        chat50_rss_mib_round50: round(rss[ROUNDS]! / 2 ** 20, 1),
        chat50_dropped_messages_max: dropped,
        chat50_reeval_tokens_p50: median(reeval),
        chat50_reeval_budget_p50: median(budget),
        chat50_reeval_rounds: reeval.length,
        chat50_full_reeval_rounds: fullReevalRounds,
    };
}
