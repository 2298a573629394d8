import { ensureGeneratedModel } from "../bench/models";
import { loadDirect, loadNodeLlamaCpp, type BenchOptions } from "../bench/lib";

const N = 128;
async function main() {
    const m = await ensureGeneratedModel(false);
    const opts = { quick: false, threads: Number(process.env.T ?? 1), contextSize: 4096, gpu: "cpu", only: [] } as unknown as BenchOptions;
    const d = await loadDirect(m.path, opts);
    const nlc = await loadNodeLlamaCpp();
    const seq = d.sequence;
    const prompt = "<|im_start|>system\nSession X. You are helpful.<|im_end|>\n<|im_start|>user\nExplain what a KV cache is.<|im_end|>\n<|im_start|>assistant\n";
    const rawRun = async (run: number) => {
        await seq.clearHistory();
        const tokens = d.model.tokenize(prompt.replace("X", String(run)), true);
        let n = 0; let t0 = 0; let t1 = 0;
        for await (const tok of seq.evaluate(tokens, { temperature: 0 })) {
            void tok;
            const now = performance.now();
            if (n === 0) t0 = now; t1 = now; n++;
            if (n >= N) break;
        }
        return (n - 1) / ((t1 - t0) / 1000);
    };
    const chatRun = async (run: number) => {
        await seq.clearHistory();
        const chat = new nlc.LlamaChat({ contextSequence: seq, autoDisposeSequence: false });
        let n = 0; let t0 = 0; let t1 = 0;
        await chat.generateResponse([{ type: "system", text: `Session ${run}. You are helpful.` }, { type: "user", text: "Explain what a KV cache is." }, { type: "model", response: [] }], {
            maxTokens: N, temperature: 0,
            onToken: (toks) => { const now = performance.now(); if (n === 0) t0 = now; t1 = now; n += toks.length; },
        });
        chat.dispose();
        return (n - 1) / ((t1 - t0) / 1000);
    };
    await rawRun(-1); await chatRun(-2);
    const r: number[] = []; const c: number[] = [];
    for (let i = 0; i < Number(process.env.R ?? 6); i++) {
        if (i % 2) { r.push(await rawRun(i)); c.push(await chatRun(i)); } else { c.push(await chatRun(i)); r.push(await rawRun(i)); }
        console.log(`run ${i}: raw ${r.at(-1)!.toFixed(1)} chat ${c.at(-1)!.toFixed(1)} ratio ${(c.at(-1)! / r.at(-1)!).toFixed(3)}`);
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
    console.log(`median raw ${med(r).toFixed(1)} chat ${med(c).toFixed(1)} ratio ${(med(c) / med(r)).toFixed(3)}`);
    await d.dispose();
}
main().catch((e) => { console.error(e); process.exit(1); });
