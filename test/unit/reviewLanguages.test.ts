/** The Hearth proposal languages in package.json match src/core/reviewLanguages.ts and keep the original colours. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHECKED_LANGUAGES, proposalLanguageId, reviewDocumentPath } from "../../src/core/reviewLanguages";
import { REPO_ROOT } from "../helpers/fixtures";

interface Contributes {
    languages: { id: string; filenamePatterns?: string[] }[];
    grammars: { language: string; scopeName: string; path: string }[];
}

const contributes = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { contributes: Contributes }).contributes;

describe("review documents' languages", () => {
    for (const [languageId, scope] of Object.entries(CHECKED_LANGUAGES)) {
        it(`${languageId}: a proposal language matched by the review path, whose grammar includes ${scope}`, () => {
            const id = proposalLanguageId(languageId)!;
            const language = contributes.languages.find((l) => l.id === id);
            assert.ok(language, `package.json does not contribute ${id}`);
            const reviewPath = reviewDocumentPath(3, "proposed", "file.x", languageId);
            // filenamePatterns "**/<id>/*": the folder right above the file names the language.
            assert.deepEqual(language.filenamePatterns, [`**/${id}/*`]);
            assert.equal(path.posix.basename(path.posix.dirname(reviewPath)), id);
            const grammar = contributes.grammars.find((g) => g.language === id);
            assert.ok(grammar, `no grammar for ${id}`);
            const file = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, grammar.path), "utf8")) as { scopeName: string; patterns: { include: string }[] };
            assert.equal(file.scopeName, grammar.scopeName);
            assert.deepEqual(file.patterns, [{ include: scope }]);
        });
    }

    it("leaves other languages as they are", () => {
        assert.equal(proposalLanguageId("python"), undefined);
        assert.equal(reviewDocumentPath(1, "original", "app.py", "python"), "/1/original/app.py");
        assert.equal(reviewDocumentPath(1, "proposed", "notes.md", "markdown"), "/1/proposed/notes.md");
    });
});
