// What determines a run's labels, and what the server knows of each dataset to check them.
export * from "./label-data.js";
export * from "./labels.js";
export * from "./pinned.js";
export * from "./registry.js";
export * from "./subset.js";
