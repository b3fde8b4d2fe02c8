export * from "./people";
export * from "./audit";
export * from "./forum";
export * from "./agenda";
export * from "./documents";
export * from "./commitments";
export * from "./imports";
export * from "./second-factor";
