/** Model discovery on temp folders laid out like LM Studio, GPT4All, node-llama-cpp and Ollama's blob store. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { discoverModels, groupShards, isModelFileName, parseShardName } from "../../src/core/models/discoverModels";
import { expandUserPath, knownModelFolders, type ModelFolder } from "../../src/core/models/modelLocations";
import { ollamaBlobPath, ollamaDisplayName, parseOllamaManifest } from "../../src/core/models/ollamaManifests";

const GGUF_BYTES = Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(60)]);
const DIGEST_HEX = "6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa";

function write(file: string, content: Buffer | string = GGUF_BYTES): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
}

/** The shape `ollama pull llama3.2:3b` leaves on disk (manifest JSON copied from a real install). */
function ollamaManifest(modelDigestHex: string): string {
    return JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: "sha256:34bb5ab01051a11372a91f95f3fbbc51173eed8e7f13ec395b9ae9b8bd0e242b", size: 561 },
        layers: [
            { mediaType: "application/vnd.ollama.image.model", digest: `sha256:${modelDigestHex}`, size: GGUF_BYTES.length },
            { mediaType: "application/vnd.ollama.image.template", digest: "sha256:966de95ca8a62200913e3f8bfbf84c8494536f1b94b49166851e76644e966396", size: 1429 },
            { mediaType: "application/vnd.ollama.image.license", digest: "sha256:fcc5a6bec9daf9b561a68827b67ab6088e1dba9d1fa2a50d7bbcc8384e0a265d", size: 7711 },
            { mediaType: "application/vnd.ollama.image.params", digest: "sha256:56bb8bd477a519ffa694fc449c2413c6f0e1d3b1c88fa7e3c9d88d3ae49d4dcb", size: 96 },
        ],
    });
}

describe("models: locations", () => {
    const base = { env: {}, hearthModelsDir: "/store/models", customFolders: [] as string[] };

    it("lists Hearth, custom, LM Studio, GPT4All, node-llama-cpp and Ollama folders on Linux", () => {
        const folders = knownModelFolders({ ...base, home: "/home/ann", platform: "linux", customFolders: ["~/ai/models", "relative/ignored"] });
        const byKind = (k: string) => folders.filter((f) => f.kind === k).map((f) => f.path);
        assert.deepEqual(byKind("hearth"), ["/store/models"]);
        assert.deepEqual(byKind("custom"), ["/home/ann/ai/models"]);
        assert.deepEqual(byKind("lmstudio"), ["/home/ann/.lmstudio/models", "/home/ann/.cache/lm-studio/models"]);
        assert.deepEqual(byKind("gpt4all"), ["/home/ann/.local/share/nomic.ai/GPT4All"]);
        assert.deepEqual(byKind("nodeLlamaCpp"), ["/home/ann/.node-llama-cpp/models"]);
        assert.ok(byKind("ollama").includes("/home/ann/.ollama/models"));
    });

    it("uses the macOS and Windows GPT4All folders and OLLAMA_MODELS", () => {
        const mac = knownModelFolders({ ...base, home: "/Users/ann", platform: "darwin" });
        assert.ok(mac.some((f) => f.kind === "gpt4all" && f.path === "/Users/ann/Library/Application Support/nomic.ai/GPT4All"));
        const win = knownModelFolders({
            ...base, home: "C:\\Users\\ann", platform: "win32", hearthModelsDir: "C:\\store",
            env: { LOCALAPPDATA: "D:\\Local", OLLAMA_MODELS: "E:\\ollama" },
        });
        assert.ok(win.some((f) => f.kind === "gpt4all" && f.path === "D:\\Local\\nomic.ai\\GPT4All"));
        assert.equal(win.find((f) => f.kind === "ollama")?.path, "E:\\ollama");
        assert.ok(win.some((f) => f.kind === "lmstudio" && f.path === "C:\\Users\\ann\\.lmstudio\\models"));
    });

    it("expands ~ and ${env:NAME} and drops a folder listed twice", () => {
        assert.equal(expandUserPath("${env:MODELS}/gguf", { home: "/h", platform: "linux", env: { MODELS: "/data" } }), "/data/gguf");
        assert.equal(expandUserPath("  ", { home: "/h", platform: "linux", env: {} }), undefined);
        const folders = knownModelFolders({ ...base, home: "/home/ann", platform: "linux", customFolders: ["~/.lmstudio/models"] });
        assert.equal(folders.filter((f) => f.path === "/home/ann/.lmstudio/models").length, 1);
    });
});

describe("models: Ollama manifests", () => {
    it("finds the model layer and maps its digest to blobs/sha256-<hex>", () => {
        const layer = parseOllamaManifest(JSON.parse(ollamaManifest(DIGEST_HEX)));
        assert.ok(!("error" in layer));
        assert.equal(layer.digest, `sha256:${DIGEST_HEX}`);
        assert.equal(ollamaBlobPath("/o", layer.digest), path.join("/o", "blobs", `sha256-${DIGEST_HEX}`));
    });

    it("rejects digests that could escape the blob folder, and manifests without a model", () => {
        const bad = parseOllamaManifest({ layers: [{ mediaType: "application/vnd.ollama.image.model", digest: "sha256:../../etc/passwd" }] });
        assert.ok("error" in bad);
        assert.ok("error" in parseOllamaManifest({ layers: [] }));
        assert.ok("error" in parseOllamaManifest("text"));
    });

    it("names models the way `ollama run` does", () => {
        assert.equal(ollamaDisplayName("registry.ollama.ai", "library", "llama3.2", "3b"), "llama3.2:3b");
        assert.equal(ollamaDisplayName("registry.ollama.ai", "ann", "coder", "latest"), "ann/coder:latest");
        assert.equal(ollamaDisplayName("hf.co", "Qwen", "Qwen2.5-GGUF", "Q4_K_M"), "hf.co/Qwen/Qwen2.5-GGUF:Q4_K_M");
    });
});

describe("models: shard names", () => {
    it("parses -00001-of-00003 and counts a split model once, loaded from part 1", () => {
        assert.deepEqual(parseShardName("qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf"), { base: "qwen2.5-7b-instruct-q4_k_m", part: 2, of: 2 });
        assert.equal(parseShardName("model.gguf"), undefined);
        assert.equal(parseShardName("m-00004-of-00003.gguf"), undefined);
        const models = groupShards([
            { path: "/m/big-00002-of-00003.gguf", size: 20 },
            { path: "/m/big-00001-of-00003.gguf", size: 10 },
            { path: "/m/big-00003-of-00003.gguf", size: 30 },
            { path: "/m/small.gguf", size: 5 },
        ], "custom");
        assert.equal(models.length, 2);
        const big = models.find((m) => m.parts)!;
        assert.equal(big.path, "/m/big-00001-of-00003.gguf");
        assert.equal(big.sizeBytes, 60);
        assert.equal(big.problem, undefined);
    });

    it("flags a split model with missing parts", () => {
        const [m] = groupShards([{ path: "/m/x-00002-of-00002.gguf", size: 1 }], "custom");
        assert.match(m!.problem!, /1 of its 2 parts are missing/);
    });

    it("skips vision projectors and hidden files", () => {
        assert.equal(isModelFileName("mmproj-model-f16.gguf"), false);
        assert.equal(isModelFileName(".partial.gguf"), false);
        assert.equal(isModelFileName("Model.Q4_K_M.GGUF"), true);
        assert.equal(isModelFileName("model.gguf.ipull"), false);
    });
});

describe("models: discovery on disk", function () {
    let home: string;
    let folders: ModelFolder[];

    beforeEach(() => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-models-"));
        folders = knownModelFolders({ home, platform: "linux", env: {}, hearthModelsDir: path.join(home, "hearth"), customFolders: [] })
            .filter((f) => f.path.startsWith(home));
    });
    afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

    it("finds LM Studio, GPT4All, node-llama-cpp, Hearth and Ollama models, shards as one", async () => {
        write(path.join(home, ".lmstudio/models/lmstudio-community/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf"));
        write(path.join(home, ".lmstudio/models/lmstudio-community/Qwen2.5-7B-Instruct-GGUF/mmproj-Qwen2.5-f16.gguf"));
        write(path.join(home, ".cache/lm-studio/models/TheBloke/old/old.Q4_0.gguf"));
        write(path.join(home, ".local/share/nomic.ai/GPT4All/Meta-Llama-3-8B-Instruct.Q4_0.gguf"));
        write(path.join(home, ".node-llama-cpp/models/hf_Qwen_qwen2.5-coder-7b-instruct-q4_k_m-00001-of-00002.gguf"));
        write(path.join(home, ".node-llama-cpp/models/hf_Qwen_qwen2.5-coder-7b-instruct-q4_k_m-00002-of-00002.gguf"));
        write(path.join(home, "hearth/partial.gguf.ipull"), "partial");
        write(path.join(home, "hearth/done.gguf"));
        write(path.join(home, ".ollama/models/manifests/registry.ollama.ai/library/llama3.2/3b"), ollamaManifest(DIGEST_HEX));
        write(path.join(home, `.ollama/models/blobs/sha256-${DIGEST_HEX}`));
        const progress: string[] = [];
        const result = await discoverModels(folders, { onProgress: (p) => progress.push(p.folder.kind) });
        const rel = result.models.map((m) => `${m.source}:${m.ollamaName ?? path.relative(home, m.path)}`).sort();
        assert.deepEqual(rel, [
            "gpt4all:.local/share/nomic.ai/GPT4All/Meta-Llama-3-8B-Instruct.Q4_0.gguf",
            "hearth:hearth/done.gguf",
            "lmstudio:.cache/lm-studio/models/TheBloke/old/old.Q4_0.gguf",
            "lmstudio:.lmstudio/models/lmstudio-community/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf",
            "nodeLlamaCpp:.node-llama-cpp/models/hf_Qwen_qwen2.5-coder-7b-instruct-q4_k_m-00001-of-00002.gguf",
            "ollama:llama3.2:3b",
        ]);
        const ollama = result.models.find((m) => m.source === "ollama")!;
        assert.equal(ollama.path, path.join(home, ".ollama/models/blobs", `sha256-${DIGEST_HEX}`));
        assert.equal(ollama.sizeBytes, GGUF_BYTES.length);
        assert.equal(result.truncated, false);
        assert.equal(result.cancelled, false);
        assert.deepEqual([...new Set(progress)], ["hearth", "lmstudio", "gpt4all", "nodeLlamaCpp", "ollama"]);
    });

    it("reports an Ollama manifest whose blob is missing, and ignores manifests without a model layer", async () => {
        write(path.join(home, ".ollama/models/manifests/registry.ollama.ai/library/gone/latest"), ollamaManifest(DIGEST_HEX));
        write(path.join(home, ".ollama/models/manifests/registry.ollama.ai/library/embed/latest"), JSON.stringify({ layers: [] }));
        const { models } = await discoverModels(folders);
        assert.equal(models.length, 1);
        assert.equal(models[0]!.ollamaName, "gone:latest");
        assert.match(models[0]!.problem!, /blob is missing/);
    });

    it("skips node_modules and hidden folders, and stops at the depth limit", async () => {
        const root = path.join(home, "hearth");
        write(path.join(root, "node_modules/pkg/model.gguf"));
        write(path.join(root, ".git/model.gguf"));
        write(path.join(root, "a/b/c/deep.gguf"));
        write(path.join(root, "a/shallow.gguf"));
        const result = await discoverModels([{ kind: "hearth", path: root }], { limits: { maxDepth: 2, maxEntries: 1000, maxModels: 10 } });
        assert.deepEqual(result.models.map((m) => path.basename(m.path)), ["shallow.gguf"]);
        assert.equal(result.truncated, true);
    });

    it("caps the number of models and reports it", async () => {
        const root = path.join(home, "hearth");
        for (let i = 0; i < 5; i++) write(path.join(root, `m${i}.gguf`));
        const result = await discoverModels([{ kind: "hearth", path: root }], { limits: { maxDepth: 3, maxEntries: 1000, maxModels: 3 } });
        assert.equal(result.models.length, 3);
        assert.equal(result.truncated, true);
    });

    it("reports a file reached through two folders once, and survives a symlink loop", async () => {
        const root = path.join(home, "hearth");
        write(path.join(root, "one.gguf"));
        fs.symlinkSync(root, path.join(root, "loop"));
        const result = await discoverModels([{ kind: "hearth", path: root }, { kind: "custom", path: root }]);
        assert.equal(result.models.length, 1);
        assert.equal(result.models[0]!.source, "hearth");
    });

    it("stops when cancelled and says so", async () => {
        write(path.join(home, "hearth/one.gguf"));
        const controller = new AbortController();
        controller.abort();
        const result = await discoverModels(folders, { signal: controller.signal });
        assert.equal(result.cancelled, true);
        assert.equal(result.models.length, 0);
    });

    it("ignores folders that do not exist", async () => {
        const result = await discoverModels([{ kind: "custom", path: path.join(home, "nope") }]);
        assert.deepEqual(result.models, []);
    });
});
