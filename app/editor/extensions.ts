/**
 * The rich-text schema of good-practice documents, shared by the live editor (browser), the
 * published pages (server and browser) and the Markdown export (server).
 */
import { TableKit } from "@tiptap/extension-table";
import StarterKit from "@tiptap/starter-kit";

/** Name of the Y.XmlFragment that holds a document's text. */
export const DOCUMENT_FIELD = "default";

export const contentExtensions = [
  StarterKit.configure({
    // Collaboration brings its own undo history, which only undoes one's own changes.
    undoRedo: false,
    heading: { levels: [2, 3, 4] },
    link: {
      openOnClick: false,
      autolink: true,
      defaultProtocol: "https",
      HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null },
    },
  }),
  TableKit.configure({ table: { resizable: false } }),
];
