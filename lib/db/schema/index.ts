// The database schema, one file per area; every table and type is imported from here.
export * from "./core";
export * from "./settings";
export * from "./credentials";
export * from "./bulk";
export * from "./billing";
export * from "./abnormal";
export * from "./order-import";
export * from "./webhooks";
export * from "./alerts";
