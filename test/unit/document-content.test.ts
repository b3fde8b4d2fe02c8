/** Rendering stored document states that break the schema: unknown content is left out, never an error. */
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { markdownToState, stateToJSON, stateToMarkdown } from "../../app/models/document-content.server";

function stateOf(build: (fragment: Y.XmlFragment) => void): Uint8Array {
  const doc = new Y.Doc();
  build(doc.getXmlFragment("default"));
  return Y.encodeStateAsUpdate(doc);
}

function paragraph(text: string, name = "paragraph"): Y.XmlElement {
  const element = new Y.XmlElement(name);
  element.insert(0, [new Y.XmlText(text)]);
  return element;
}

describe("stateToJSON", () => {
  it("keeps what the editor writes as it is", () => {
    const json = stateToJSON(markdownToState("## Title\n\nSome **bold** text and a [link](https://example.org).\n\n- one\n- two"));
    expect(stateToMarkdown(markdownToState("## Title\n\nSome **bold** text."))).toBe("## Title\n\nSome **bold** text.");
    expect(json.content?.map((n) => n.type)).toEqual(["heading", "paragraph", "bulletList"]);
  });

  it("leaves out unknown nodes with what they hold, unknown marks and unknown attributes", () => {
    const state = stateOf((f) => {
      const marked = new Y.XmlElement("paragraph");
      marked.setAttribute("onclick", "alert(2)");
      const runs = new Y.XmlText();
      marked.insert(0, [runs]);
      f.insert(0, [paragraph("Kept."), paragraph("alert(1)", "script"), new Y.XmlElement("image"), marked]);
      runs.insert(0, "Bold.", { bold: true, blink: true });
    });
    expect(stateToJSON(state)).toEqual({
      type: "doc",
      content: [
        { type: "paragraph", content: [{ type: "text", text: "Kept." }] },
        { type: "paragraph", content: [{ type: "text", text: "Bold.", marks: [{ type: "bold" }] }] },
      ],
    });
  });

  it("keeps only the text, a paragraph per block, when the nodes break the schema's content rules", () => {
    // A table cell straight in the document, and a paragraph inside a paragraph.
    const state = stateOf((f) => {
      const outer = new Y.XmlElement("paragraph");
      outer.insert(0, [paragraph("Nested.")]);
      const cell = new Y.XmlElement("tableCell");
      cell.insert(0, [paragraph("In a cell.")]);
      f.insert(0, [outer, cell]);
    });
    expect(stateToJSON(state)).toEqual({
      type: "doc",
      content: [
        { type: "paragraph", content: [{ type: "text", text: "Nested." }] },
        { type: "paragraph", content: [{ type: "text", text: "In a cell." }] },
      ],
    });
  });

  it("answers an empty document for a state that cannot be read", () => {
    expect(stateToJSON(new Uint8Array([1, 2, 3]))).toEqual({ type: "doc", content: [{ type: "paragraph" }] });
  });
});
