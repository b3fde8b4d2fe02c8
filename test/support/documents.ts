/** Working groups, documents and live document clients for tests, built through the real models and protocol. */
import type { Socket } from "socket.io-client";
import * as Y from "yjs";
import { createDocument } from "../../app/models/documents.server";
import { actorFor } from "../../app/models/people.server";
import { addMember, createWorkingGroup } from "../../app/models/working-groups.server";
import { DocProvider } from "../../app/realtime/doc-provider";
import type { Membership } from "../../app/domain/vocabulary";
import { connectSocket, onceConnected, personId, signInAs, type TestServer } from "./server";

const meta = { ipAddress: "127.0.0.1", userAgent: "test" };
let groups = 0;

/** A working group led by the secretariat with the given members, and one document in it. */
export function groupWithDocument(
  server: TestServer,
  members: Record<string, Membership>,
  visibility: "group" | "members" | "public" = "group",
): { groupId: number; documentId: number } {
  const secretariat = actorFor(server.db, personId(server, "secretariat@convene.example"))!;
  const pillarId = (server.db.$client.prepare("SELECT id FROM pillars ORDER BY position LIMIT 1").get() as { id: number }).id;
  const group = createWorkingGroup(
    server.db,
    secretariat,
    { name: `Group ${++groups} ${Date.now()}`, description: "", pillarId, leadId: null },
    meta,
  );
  if (!group.ok) throw new Error(`creating a working group was refused: ${group.reason}`);
  const groupId = group.id;
  for (const [email, membership] of Object.entries(members)) {
    if (!addMember(server.db, secretariat, groupId, personId(server, email), membership, meta).ok)
      throw new Error(`adding ${email} was refused`);
  }
  const document = createDocument(server.db, secretariat, groupId, { title: "Good practice", summary: "", visibility }, meta);
  if (!document.ok) throw new Error(`creating a document was refused: ${document.reason}`);
  const documentId = document.id;
  return { groupId, documentId };
}

export interface DocClient {
  socket: Socket;
  provider: DocProvider;
  doc: Y.Doc;
  text: () => string;
  close(): void;
}

/** Signs in (or reuses a cookie), connects a socket and opens the document; resolves once the first sync is done. */
export async function openDocument(
  server: TestServer,
  who: string | { cookie: string },
  documentId: number,
  doc = new Y.Doc(),
  transports: ("websocket" | "polling")[] = ["websocket"],
): Promise<DocClient> {
  const cookie = typeof who === "string" ? await signInAs(server, who) : who.cookie;
  const socket = connectSocket(server, cookie, server.url, transports);
  await onceConnected(socket);
  const provider = new DocProvider(socket, documentId, doc);
  await new Promise<void>((resolve, reject) => {
    provider.on("synced", () => resolve());
    provider.on("state", (s) => {
      if (s.connection === "closed") reject(new Error(`document closed: ${s.closedReason}`));
    });
  });
  return {
    socket,
    provider,
    doc,
    text: () => doc.getText("t").toString(),
    close() {
      provider.destroy();
      socket.close();
    },
  };
}

/** Resolves once every change this client made has been acknowledged as stored. */
export function saved(client: DocClient): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!client.provider.state.unsaved && client.provider.state.connection === "online") {
        client.provider.off("state", check);
        resolve();
      }
    };
    client.provider.on("state", check);
    check();
  });
}

/** Resolves when `predicate` holds for the document, checked after every change it receives. */
export function until(client: DocClient, predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (predicate()) {
        client.doc.off("update", check);
        resolve();
      }
    };
    client.doc.on("update", check);
    check();
  });
}
