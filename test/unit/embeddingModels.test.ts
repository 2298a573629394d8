import * as assert from "node:assert/strict";
import { CURATED_EMBEDDING_MODELS, isEmbeddingArchitecture } from "../../src/core/models/embeddingModels";

describe("embedding models (hearth.embeddingModel)", () => {
    it("offers a short curated list: a small English model and a multilingual one that covers Chinese, as GGUF files", () => {
        assert.ok(CURATED_EMBEDDING_MODELS.length >= 2 && CURATED_EMBEDDING_MODELS.length <= 4, `${CURATED_EMBEDDING_MODELS.length} models`);
        const english = CURATED_EMBEDDING_MODELS.find((m) => m.languages === "en");
        const multilingual = CURATED_EMBEDDING_MODELS.find((m) => m.languages === "multilingual");
        assert.ok(english && english.approxBytes < 100 * 1024 ** 2, "a small English model");
        assert.ok(multilingual && /Chinese/.test(multilingual.summary), "a multilingual model that covers Chinese");
        for (const m of CURATED_EMBEDDING_MODELS) assert.match(m.uri, /^hf:[^/]+\/[^/]+\/.+\.gguf$/, m.id);
    });

    it("tells encoder architectures (one vector per text) from chat models", () => {
        assert.ok(isEmbeddingArchitecture("bert") && isEmbeddingArchitecture("nomic-bert"));
        assert.ok(!isEmbeddingArchitecture("llama") && !isEmbeddingArchitecture("qwen2") && !isEmbeddingArchitecture(undefined));
    });
});
