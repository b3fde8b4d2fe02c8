/**
 * The text of a PDF printed by Chromium (Skia), or written by PDFKit and joined by pdf-lib (decision 048),
 * for tests: its fonts are Type0 with a ToUnicode map and its pages draw glyph ids with `Tj`/`TJ`. Enough to
 * read what a printed report says, not a PDF reader.
 */
import { inflateSync } from "node:zlib";

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function objectsOf(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString("latin1");
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) 0 obj\s*/g;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf("endobj", start);
    const body = text.slice(start, end);
    const streamAt = body.search(/stream\r?\n/);
    if (streamAt < 0) {
      objects.set(Number(m[1]), { dict: body, stream: null });
      continue;
    }
    const dict = body.slice(0, streamAt);
    const dataStart = start + streamAt + body.slice(streamAt).indexOf("\n") + 1;
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? "0");
    const raw = pdf.subarray(dataStart, dataStart + length);
    objects.set(Number(m[1]), { dict, stream: dict.includes("/FlateDecode") ? inflateSync(raw) : raw });
    header.lastIndex = dataStart + length;
  }
  return objects;
}

function hexToString(hex: string): string {
  let out = "";
  for (let i = 0; i + 4 <= hex.length; i += 4) out += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
  return out;
}

/** Glyph id (4 hex digits) to text, from a ToUnicode CMap. */
function toUnicode(cmap: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const [, code, uni] of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(code!.toUpperCase(), hexToString(uni!));
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    // PDFKit's form: a range and the text of each code in it, `<0000> <0002> [<0041> <0042> <0043>]`.
    const listed = /<([0-9A-Fa-f]+)>\s*<[0-9A-Fa-f]+>\s*\[([^\]]*)\]/g;
    for (const [, from, list] of block[1]!.matchAll(listed))
      [...list!.matchAll(/<([0-9A-Fa-f]+)>/g)].forEach(([, uni], i) =>
        map.set((parseInt(from!, 16) + i).toString(16).toUpperCase().padStart(4, "0"), hexToString(uni!)),
      );
    for (const [, from, to, uni] of block[1]!.replace(listed, "").matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const first = parseInt(from!, 16);
      const base = parseInt(uni!, 16);
      for (let code = first; code <= parseInt(to!, 16); code++)
        map.set(code.toString(16).toUpperCase().padStart(4, "0"), String.fromCodePoint(base + code - first));
    }
  }
  return map;
}

const ref = (dict: string, key: string) => Number(new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1] ?? NaN);

/** The text of every page, in drawing order, each text object's runs joined, with whitespace collapsed. */
export function pdfText(pdf: Buffer): string {
  const objects = objectsOf(pdf);
  const cmaps = new Map<number, Map<string, string>>();
  const fontMap = (fontId: number) => {
    if (!cmaps.has(fontId)) {
      const font = objects.get(fontId);
      const cmap = font ? objects.get(ref(font.dict, "ToUnicode"))?.stream : undefined;
      cmaps.set(fontId, toUnicode(cmap?.toString("latin1") ?? ""));
    }
    return cmaps.get(fontId)!;
  };
  const pages = [...objects.values()].filter((o) => /\/Type \/Page\b/.test(o.dict));
  const parts: string[] = [];
  for (const page of pages) {
    const resourcesId = ref(page.dict, "Resources");
    const resources = Number.isNaN(resourcesId) ? page.dict : (objects.get(resourcesId)?.dict ?? "");
    const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(resources)?.[1] ?? "";
    const fonts = new Map([...fontDict.matchAll(/\/(\S+) (\d+) 0 R/g)].map(([, name, id]) => [name!, Number(id)]));
    const contentIds = /\/Contents\s*\[([^\]]*)\]/
      .exec(page.dict)?.[1]
      ?.match(/\d+(?= 0 R)/g)
      ?.map(Number) ?? [ref(page.dict, "Contents")];
    for (const id of contentIds) {
      const content = objects.get(id)?.stream?.toString("latin1") ?? "";
      let glyphs = new Map<string, string>();
      for (const op of content.matchAll(/\/(\S+) [\d.]+ Tf|<([0-9A-Fa-f]*)> Tj|\[([^\]]*)\] TJ|\bET\b/g)) {
        if (op[1]) glyphs = fontMap(fonts.get(op[1]) ?? NaN);
        else if (op[0] === "ET") parts.push(" ");
        else {
          const hex = op[2] ?? [...(op[3] ?? "").matchAll(/<([0-9A-Fa-f]*)>/g)].map((h) => h[1]).join("");
          for (let i = 0; i + 4 <= hex.length; i += 4) parts.push(glyphs.get(hex.slice(i, i + 4).toUpperCase()) ?? "");
        }
      }
    }
  }
  return parts.join("").replace(/\s+/g, " ").trim();
}
