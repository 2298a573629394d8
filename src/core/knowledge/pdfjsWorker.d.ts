// PDF.js's worker module has no type declarations; the index only hands it to PDF.js (globalThis.pdfjsWorker).
declare module "pdfjs-dist/legacy/build/pdf.worker.mjs" {
    export const WorkerMessageHandler: unknown;
}
