/**
 * Worker thread of chatTemplateCheck.ts: renders a model's Jinja chat template with @huggingface/jinja (the renderer
 * node-llama-cpp uses for it) on a few sample conversations and reports how it went. It runs in its own thread with
 * a small heap so a template that loops, recurses or builds a gigantic string is stopped (terminated, or killed by
 * its heap limit) without touching the engine.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Template as JinjaTemplate } from "@huggingface/jinja" with { "resolution-mode": "import" };

export interface TemplateCheckInput {
    template: string;
    bosToken: string;
    eosToken: string;
    maxOutputChars: number;
}

export type TemplateCheckReport =
    | { kind: "rendered"; renderErrors: number; longestOutput: number }
    | { kind: "unparsable"; message: string }
    | { kind: "hugeOutput"; chars: number };

const input = workerData as TemplateCheckInput;
const long = "word ".repeat(400);
/** Shapes a chat sends: a first turn, a multi-turn history with a system prompt, and a long message. */
const conversations = [
    [{ role: "user", content: "Hello" }],
    [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "What is a hearth?" },
        { role: "assistant", content: "The floor of a fireplace." },
        { role: "user", content: "And in a house?" },
    ],
    [{ role: "user", content: long }, { role: "assistant", content: long }, { role: "user", content: long }],
];

async function run(): Promise<TemplateCheckReport> {
    const { Template } = await import("@huggingface/jinja");
    let template: JinjaTemplate;
    try {
        template = new Template(input.template);
    } catch (err) {
        return { kind: "unparsable", message: err instanceof Error ? err.message : String(err) };
    }
    let renderErrors = 0;
    let longestOutput = 0;
    for (const messages of conversations) {
        try {
            const out = template.render({ messages, add_generation_prompt: true, bos_token: input.bosToken, eos_token: input.eosToken });
            longestOutput = Math.max(longestOutput, out.length);
            if (out.length > input.maxOutputChars) return { kind: "hugeOutput", chars: out.length };
        } catch {
            // Templates raise on purpose ("System role not supported"); node-llama-cpp adapts to that, it is no danger.
            renderErrors++;
        }
    }
    return { kind: "rendered", renderErrors, longestOutput };
}

void run().then((report) => parentPort?.postMessage(report));
