// The runner's seeded generator is schema's: the server derives labels with the same draws.
export { Rng } from "../schema/index.js";
