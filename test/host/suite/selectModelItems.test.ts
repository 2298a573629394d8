/**
 * Select Model's rows (src/models/modelPickItems.ts, built with the workbench's own QuickPick types): the configured
 * model is labelled as hearth.model (not hearth.modelFolders), a reason a file cannot be used has the detail line to
 * itself (not cut after the path), and no row keeps saying "Reading model details…" once reading is over.
 */
import * as assert from "node:assert/strict";
import { buildPickItems, modelItem } from "../../../src/models/modelPickItems";
import { classifyModel } from "../../../src/core/models/rankModels";

describe("Select Model rows", () => {
    const reason = "the GGUF header says the tensor data starts at byte 9,876,543,210 but the file has only 1,234,567 bytes (a download that stopped early?)";

    it("labels the configured model outside every scanned folder as hearth.model", () => {
        const item = modelItem(classifyModel({ path: "/opt/models/mine.gguf", source: "setting", sizeBytes: 1000 }, undefined), "/opt/models/mine.gguf");
        assert.match(item.detail!, /hearth\.model: \/opt\/models\/mine\.gguf$/);
        assert.doesNotMatch(item.detail!, /hearth\.modelFolders/);
    });

    it("shows the whole reason a file cannot be used on its own line", () => {
        const item = modelItem(classifyModel({ path: "/m/broken.gguf", source: "custom", sizeBytes: 10, problem: reason }, undefined), "");
        assert.equal(item.detail, `Cannot be used: ${reason}`);
        assert.match(item.description!, /hearth\.modelFolders: \/m\/broken\.gguf/);
    });

    it("stops saying Reading model details once reading is over", () => {
        const ranked = [classifyModel({ path: "/m/unread.gguf", source: "custom", sizeBytes: 10 }, undefined)];
        const reading = buildPickItems(ranked, "", true).find((i) => i.model)!;
        const done = buildPickItems(ranked, "", false).find((i) => i.model)!;
        assert.match(reading.detail!, /Reading model details/);
        assert.doesNotMatch(done.detail!, /Reading model details/);
        assert.doesNotMatch(done.label, /loading~spin/);
    });
});
