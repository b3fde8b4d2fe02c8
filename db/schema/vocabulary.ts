/** The fixed vocabularies of the schema, free of drizzle so the interface can import them too. */
export const stakeholderGroups = [
  "government",
  "law_enforcement",
  "ngo",
  "hotline",
  "industry",
  "research",
  "intergovernmental",
] as const;
export type StakeholderGroup = (typeof stakeholderGroups)[number];

export const roles = ["secretariat", "facilitator", "delegate", "observer"] as const;
export type Role = (typeof roles)[number];

export const sessionKinds = ["plenary", "panel", "workshop", "breakout", "break"] as const;
export type SessionKind = (typeof sessionKinds)[number];

/** How what is said in a session may be attributed, in chat, notes and every export. */
export const attributionRules = ["on_record", "chatham_house", "group_only"] as const;
export type AttributionRule = (typeof attributionRules)[number];

/** A working-group member either edits its documents or reads them. */
export const memberships = ["editor", "reader"] as const;
export type Membership = (typeof memberships)[number];

export const documentStatuses = ["draft", "review", "published"] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

/** Who may read a document: its working group, every member of the coalition, or anyone once published. */
export const documentVisibilities = ["group", "members", "public"] as const;
export type DocumentVisibility = (typeof documentVisibilities)[number];

/** Why a named version exists. */
export const versionKinds = ["manual", "review", "published", "restore"] as const;
export type VersionKind = (typeof versionKinds)[number];
