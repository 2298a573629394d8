/**
 * Writes small, valid PDF files for tests (text pages in Helvetica, WinAnsi text only): each page is a list of
 * lines. Enough for PDF.js to extract the text with its page numbers, which is what the knowledge index needs.
 */

function escapePdfText(text: string): string {
    return text.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, "?");
}

export function makePdf(pages: readonly (readonly string[])[]): Buffer {
    const objects: string[] = [];
    const pageCount = pages.length;
    // 1: catalog, 2: pages, 3: font, then per page: page object + content stream.
    objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
    const kids = pages.map((_, i) => `${4 + i * 2} 0 R`).join(" ");
    objects[2] = `<< /Type /Pages /Kids [${kids}] /Count ${pageCount} >>`;
    objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
    pages.forEach((lines, i) => {
        const pageId = 4 + i * 2;
        const contentId = pageId + 1;
        const body = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td", ...lines.map((l) => `(${escapePdfText(l)}) Tj T*`), "ET"].join("\n");
        objects[pageId] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`;
        objects[contentId] = `<< /Length ${Buffer.byteLength(body, "latin1")} >>\nstream\n${body}\nendstream`;
    });
    let out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
    const offsets: number[] = [];
    for (let id = 1; id < objects.length; id++) {
        offsets[id] = Buffer.byteLength(out, "latin1");
        out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
    }
    const xref = Buffer.byteLength(out, "latin1");
    out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
    for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
    out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return Buffer.from(out, "latin1");
}
