// schema/: the contract shared by runner, API and web. Imports nothing of ours.

export * from "./attestation.js";
export * from "./audit.js";
export * from "./bundle.js";
export * from "./bytes.js";
export * from "./canonical.js";
export * from "./contract/index.js";
export * from "./datasets/index.js";
export * from "./db/index.js";
export * from "./derive.js";
export * from "./digest.js";
export * from "./dsse.js";
export * from "./paper-table-1.js";
export * from "./payload-guard.js";
export * from "./protocol-checks.js";
export * from "./quantiles.js";
export * from "./random.js";
export * from "./regularizer-ablations.js";
export * from "./reproduction.js";
export * from "./scoring.js";
export * from "./signed-statement.js";
export * from "./slot.js";
export * from "./stopping-rule.js";
export * from "./storable.js";
export * from "./suites/index.js";
export * from "./topology/index.js";
export * from "./validation-split.js";
