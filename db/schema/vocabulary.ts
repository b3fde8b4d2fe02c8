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
