import { describe, expect, it } from "vitest";
import { compareStates, markdownToState, type DiffBlock } from "../../app/models/document-content.server";

const changed = (blocks: DiffBlock[], change: "added" | "removed"): string[] =>
  blocks.flatMap((b) => [
    ...(b.change === change ? [`${b.type}`] : []),
    ...(b.runs ?? []).filter((r) => r.change === change && b.change === "same").map((r) => r.text.trim()),
    ...changed(b.content ?? [], change),
  ]);

describe("comparing two versions as rendered text", () => {
  it("keeps headings, marks and tables, and marks words changed inside a paragraph", () => {
    const from = markdownToState("## Scope\n\nHotlines share **hashes** weekly.\n\n| Who | What |\n| --- | --- |\n| NGO | Reports |");
    const to = markdownToState(
      "## Scope\n\nHotlines share **hashes** daily.\n\n| Who | What |\n| --- | --- |\n| NGO | Reports |\n| Police | Cases |\n\nA new closing line.",
    );
    const { blocks, added, removed } = compareStates(from, to);
    expect(blocks[0]).toMatchObject({ type: "heading", change: "same", attrs: { level: 2 } });
    const paragraph = blocks[1]!;
    expect(paragraph.runs).toContainEqual({ text: "hashes", marks: [{ type: "bold" }], change: "same" });
    expect(changed([paragraph], "removed")).toEqual(["weekly."]);
    expect(changed([paragraph], "added")).toEqual(["daily."]);
    expect(blocks[2]!.type).toBe("table");
    expect(changed([blocks[2]!], "added")).toEqual(["tableRow", "tableCell", "paragraph", "tableCell", "paragraph"]);
    expect(blocks[3]).toMatchObject({ type: "paragraph", change: "added" });
    expect(added).toBe(1 + 2 + 4);
    expect(removed).toBe(1);
  });

  it("shows a heading turned into a paragraph as one removed and one added block", () => {
    const { blocks } = compareStates(markdownToState("## Title"), markdownToState("Title"));
    expect(blocks.map((b) => [b.type, b.change])).toEqual([
      ["heading", "removed"],
      ["paragraph", "added"],
    ]);
  });

  it("finds nothing changed between equal texts", () => {
    const state = markdownToState("- one\n- two");
    expect(compareStates(state, state)).toMatchObject({ added: 0, removed: 0 });
  });
});
