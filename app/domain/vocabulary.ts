/**
 * The domain's fixed vocabularies: the one list of each, imported by the schema (`db/`), the models,
 * validation, the policy and the interface. Free of drizzle and of server code.
 */
export const stakeholderGroups = ["government", "law_enforcement", "ngo", "hotline", "industry", "research", "intergovernmental"] as const;
export type StakeholderGroup = (typeof stakeholderGroups)[number];

export const roles = ["secretariat", "facilitator", "delegate", "observer"] as const;
export type Role = (typeof roles)[number];

export const personStatuses = ["active", "deactivated"] as const;
export type PersonStatus = (typeof personStatuses)[number];

/** The annual forum or a convening of a series. */
export const eventKinds = ["forum", "convening"] as const;
export type EventKind = (typeof eventKinds)[number];

export const eventStatuses = ["draft", "published", "archived"] as const;
export type EventStatus = (typeof eventStatuses)[number];

/** Who may see a published event: anyone, every member, or the stakeholder groups it invites. */
export const eventVisibilities = ["public", "members", "groups"] as const;
export type EventVisibility = (typeof eventVisibilities)[number];

/** How often the convenings of a series meet. */
export const cadences = ["monthly", "quarterly", "half_yearly", "yearly", "ad_hoc"] as const;
export type Cadence = (typeof cadences)[number];

export const agendaSessionStatuses = ["scheduled", "cancelled"] as const;
export type AgendaSessionStatus = (typeof agendaSessionStatuses)[number];

/** A place in a session with limited places, or on its waiting list. */
export const placeStatuses = ["confirmed", "waitlisted"] as const;
export type PlaceStatus = (typeof placeStatuses)[number];

/** An event registration, while it waits for approval and after. */
export const registrationStatuses = ["pending", "approved", "declined"] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

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

/** Short codes of the five pillars, used in commitment references such as CA-2026-07. */
export const pillarCodes: Record<string, string> = {
  "tech-innovation": "TI",
  "collective-action": "CA",
  "independent-research": "IR",
  "knowledge-sharing": "KS",
  "transparency-accountability": "TA",
};

export const cycleStatuses = ["open", "closed"] as const;
export type CycleStatus = (typeof cycleStatuses)[number];

/** How far a commitment has come, on the Open Government Partnership's scale. */
export const completionLevels = ["not_started", "limited", "substantial", "complete", "withdrawn"] as const;
export type CompletionLevel = (typeof completionLevels)[number];

export const commitmentTypes = ["single", "joint"] as const;
export type CommitmentType = (typeof commitmentTypes)[number];

/** Who may read a commitment: anyone, every member, or the secretariat (and its own organisations). */
export const commitmentVisibilities = ["public", "members", "secretariat"] as const;
export type CommitmentVisibility = (typeof commitmentVisibilities)[number];

/**
 * Where a commitment stands within its cycle. A `draft` was proposed elsewhere (a breakout room's report-back)
 * and waits for its lead organisation to confirm it; until then it counts nowhere.
 */
export const commitmentStatuses = ["draft", "open", "completed", "withdrawn", "carried"] as const;
export type CommitmentStatus = (typeof commitmentStatuses)[number];

/** What the secretariat decided for an open commitment when a new cycle opened. */
export const carryKinds = ["continued", "rescoped", "split", "merged", "withdrawn"] as const;
export type CarryKind = (typeof carryKinds)[number];

/** The Voluntary Principles to Counter Online Child Sexual Exploitation and Abuse, by number. */
export const voluntaryPrinciples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;

/** How people get their breakout room: they choose one, or the facilitator plans it (by hand, from a file or balanced). */
export const breakoutAssignmentModes = ["choice", "planned"] as const;
export type BreakoutAssignmentMode = (typeof breakoutAssignmentModes)[number];

/** A breakout session's rooms are being prepared, are open (people are in them) or have closed. */
export const breakoutStatuses = ["planning", "open", "closed"] as const;
export type BreakoutStatus = (typeof breakoutStatuses)[number];

/** How a person came to be in a breakout room. */
export const breakoutAssignmentSources = ["chosen", "assigned", "imported", "balanced", "copied", "moved"] as const;
export type BreakoutAssignmentSource = (typeof breakoutAssignmentSources)[number];
