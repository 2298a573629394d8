/**
 * Terms for lexical search, the same for documents and questions:
 * - words of letters/digits/underscore, lower-cased; a code identifier is kept whole AND split into its parts
 *   (`parseHttpResponse` → parsehttpresponse, parse, http, response; `max_file_size` → max_file_size, max, file,
 *   size), so a question in words finds code and a question naming the identifier finds it exactly;
 * - Chinese/Japanese runs: the words `Intl.Segmenter` finds (ICU's dictionary) plus every pair of adjacent Han
 *   characters. The pairs make matching independent of how the segmenter happened to cut a question versus a note
 *   (classical text like 學而時習之 is cut into single characters), which is the usual remedy in CJK retrieval;
 * - very common words (English and Chinese function words) are dropped: they carry no meaning for ranking.
 */

const HAN = /\p{Script=Han}/u;
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const WORD = /[\p{L}\p{N}_$]+/gu;

const STOP_WORDS = new Set([
    // English
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "did", "do", "does", "for", "from", "had", "has", "have",
    "how", "i", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were", "what", "when",
    "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your",
    // Chinese function words and question words (simplified and traditional)
    "的", "了", "是", "在", "和", "与", "與", "或", "吗", "嗎", "呢", "吧", "啊", "什么", "甚麼", "什麼", "怎么", "怎麼",
    "怎样", "怎樣", "如何", "哪", "哪里", "哪裡", "哪个", "哪個", "为什么", "為什麼", "谁", "誰", "有", "这", "這",
    "那", "这个", "這個", "那个", "那個", "一个", "一個", "中", "里", "裡", "说", "說", "讲", "講", "关于", "關於",
]);

let segmenter: Intl.Segmenter | undefined;
function zhSegmenter(): Intl.Segmenter {
    segmenter ??= new Intl.Segmenter("zh", { granularity: "word" });
    return segmenter;
}

/** Parts of a code identifier: camelCase, PascalCase, ACRONYMWords, snake_case, kebab-free digits. */
export function identifierParts(word: string): string[] {
    return word
        .split(/[_$]+/)
        .flatMap((piece) => piece.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u))
        .filter((p) => p.length > 0);
}

/** Whether a word can have identifier parts at all (cheap test first: most prose words are plain lower case). */
const MAY_SPLIT = /[_$\d]|\p{Ll}\p{Lu}|\p{Lu}\p{Lu}\p{Ll}/u;

function pushWord(out: string[], word: string): void {
    const lower = word.toLowerCase();
    if (!STOP_WORDS.has(lower) && !/^[_$]+$/.test(lower)) out.push(lower);
    if (!MAY_SPLIT.test(word)) return;
    const parts = identifierParts(word);
    if (parts.length > 1) {
        for (const part of parts) {
            const p = part.toLowerCase();
            if (p.length > 1 && !STOP_WORDS.has(p)) out.push(p);
        }
    }
}

function pushCjk(out: string[], run: string): void {
    for (const { segment, isWordLike } of zhSegmenter().segment(run)) {
        if (isWordLike && !STOP_WORDS.has(segment) && !(segment.length === 1 && !HAN.test(segment))) out.push(segment);
    }
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) {
        const pair = chars[i]! + chars[i + 1]!;
        if (HAN.test(chars[i]!) && HAN.test(chars[i + 1]!) && !STOP_WORDS.has(pair)) out.push(pair);
    }
    // A single Han character between non-Han text (e.g. "第3章") still counts as a term.
    if (chars.length === 1 && HAN.test(run) && !STOP_WORDS.has(run)) out.push(run);
}

/** Search terms of `text` (documents and queries alike). Terms may repeat: repetition is term frequency. */
export function tokenize(text: string): string[] {
    const out: string[] = [];
    let last = 0;
    for (const match of text.matchAll(CJK_RUN)) {
        pushLatin(out, text.slice(last, match.index));
        pushCjk(out, match[0]);
        last = match.index + match[0].length;
    }
    pushLatin(out, text.slice(last));
    return out;
}

function pushLatin(out: string[], text: string): void {
    for (const match of text.matchAll(WORD)) pushWord(out, match[0]);
}

/** Rough token count (≈ model tokens) for chunk sizing: a CJK character is about one token, other text ~4 chars. */
export function estimateTokens(text: string): number {
    let cjk = 0;
    for (const match of text.matchAll(CJK_RUN)) cjk += match[0].length;
    return cjk + Math.ceil((text.length - cjk) / 4);
}
