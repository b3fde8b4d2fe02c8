/**
 * An honest editor: opens a document through the app's provider, announces their presence, and appends sentinel
 * paragraphs, each one acknowledged by the server as stored. The fuzzers aim at the same document; afterwards
 * every sentinel must still be there, whole and in order.
 */
import type { Socket } from "socket.io-client";
import * as Y from "yjs";
import { DOCUMENT_FIELD } from "../../app/editor/extensions";
import { DocProvider } from "../../app/realtime/doc-provider";
import { awarenessFrame } from "./generators";
import { guardedSocket, openSocket } from "./client";

export class HonestEditor {
  readonly doc = new Y.Doc();
  readonly sentinels: string[] = [];
  /** Presence announcements of the editor's own client id the server refused (someone squatted it). */
  readonly refusedPresence: string[] = [];
  /** What the server sent that the editor's provider could not apply. */
  readonly applyErrors: string[] = [];
  private socket!: Socket;
  private provider!: DocProvider;

  private constructor(
    readonly url: string,
    readonly cookie: string,
    readonly documentId: number,
    readonly name: string,
  ) {}

  static async open(url: string, cookie: string, documentId: number, name: string): Promise<HonestEditor> {
    const editor = new HonestEditor(url, cookie, documentId, name);
    await editor.connect();
    return editor;
  }

  get clientId(): number {
    return this.doc.clientID;
  }

  private async connect() {
    this.socket = await openSocket(this.url, this.cookie);
    this.provider = new DocProvider(guardedSocket(this.socket, this.applyErrors), this.documentId, this.doc);
    this.provider.awareness.setLocalState(null);
    await new Promise<void>((resolve, reject) => {
      this.provider.on("synced", () => resolve());
      this.provider.on("state", (s) => s.connection === "closed" && reject(new Error(`honest editor closed out: ${s.closedReason}`)));
    });
    await this.announce();
  }

  /** Announces presence for the editor's own client id, with an acknowledgement. */
  async announce(): Promise<void> {
    const frame = awarenessFrame([
      { clientId: this.clientId, clock: Date.now() % 1_000_000, state: { user: { name: this.name, color: "#0a0" } } },
    ]);
    const res = (await this.socket.timeout(10_000).emitWithAck("doc:message", this.documentId, frame)) as { ok: boolean; error?: string };
    if (!res.ok) this.refusedPresence.push(res.error ?? "refused");
  }

  /** Leaves and comes back with the same Y.Doc (same client id), as a page does after a network drop. */
  async reconnect(): Promise<void> {
    this.provider.destroy();
    this.socket.close();
    await this.connect();
  }

  /** Appends a paragraph and resolves once the server acknowledged it as stored. */
  async write(text: string): Promise<void> {
    const fragment = this.doc.getXmlFragment(DOCUMENT_FIELD);
    const paragraph = new Y.XmlElement("paragraph");
    paragraph.insert(0, [new Y.XmlText(text)]);
    const stored = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sentinel "${text}" not acknowledged within 15 s`)), 15_000);
      const check = () => {
        if (!this.provider.state.unsaved) {
          clearTimeout(timer);
          this.provider.off("state", check);
          resolve();
        }
      };
      this.provider.on("state", check);
    });
    fragment.insert(fragment.length, [paragraph]);
    this.sentinels.push(text);
    await stored;
  }

  close(): void {
    this.provider.destroy();
    this.socket.close();
  }
}
