// Per-token overhead of node-llama-cpp against llama-bench on models where the kernel costs nearly nothing:
// (Here, not in bench/probes/: adding it there would mark the committed bench results stale for `npm run bench -- --check`.)
// `node scripts/probes/tgOverhead.mjs MODEL.gguf [...]` (needs node scripts/llama-cpp-tools.mjs built). One thread, 128 tokens, greedy.
import { execFileSync } from "node:child_process";
const nlc = await import("node-llama-cpp");
const lb = JSON.parse(execFileSync(process.execPath, ["scripts/llama-cpp-tools.mjs", "--json"], { encoding: "utf8" })).llamaBench;
const llama = await nlc.getLlama({ gpu: false, build: "never", logLevel: nlc.LlamaLogLevel.error });
const N = 128;
for (const modelPath of process.argv.slice(2)) {
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const context = await model.createContext({ threads: 1, contextSize: 512, sequences: 1 });
  const seq = context.getSequence();
  for (let r = 0; r < 2; r++) {
    const out = [];
    for (let rep = 0; rep < 4; rep++) {
      await seq.clearHistory();
      let n = 0; const t0 = performance.now();
      for await (const t of seq.evaluate([model.tokens.bos ?? 1], { temperature: 0 })) { if (++n >= N) break; }
      out.push(N * 1000 / (performance.now() - t0));
    }
    const l = JSON.parse(execFileSync(lb, ["-m", modelPath, "-t", "1", "-p", "0", "-n", String(N), "-r", "4", "-o", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })).find((x) => x.n_gen === N).samples_ts;
    const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
    console.log(modelPath.split("/").pop(), "direct", med(out).toFixed(0), "llama-bench", med(l).toFixed(0), "overhead ms/token", (1000 / med(out) - 1000 / med(l)).toFixed(3));
  }
  await context.dispose(); await model.dispose();
}
