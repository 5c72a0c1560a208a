// Architectures as the server sees them: the shape they are built at, their parameter count
// counted without TF.js, the built-ins' fingerprints, and the kernel baseline's description.
export * from "./architectures.js";
export * from "./builtins.js";
export * from "./input-shape.js";
export * from "./kernel.js";
export * from "./parameter-count.js";
export * from "./torch-module.js";
