// What the reproduction report is made from: the runs the report made or reused.
import type { KernelReport } from "../../../runner/commands/kernel.js";
import type { TheoremReport } from "../../../runner/commands/theorem.js";
import type { ArchitectureDetail, BaselineRow } from "../../../schema/index.js";
import type { StepBundle, StepJson } from "../steps.js";
import type { MeasuresBoard } from "./measures.js";

/**
 * A trained suite as the report shows it: its verified bundle and, per architecture, the
 * leaderboard's page data and chart images.
 */
export interface SuiteResult {
  bundle: StepBundle;
  architectures: {
    id: string;
    name: string;
    fingerprint: string;
    parameterCount: number;
    detail: ArchitectureDetail;
    images: Record<"1a" | "1b" | "1c", string>;
  }[];
}

/** The kernel baseline: its bundle on a suite's tasks, its page's Figure 1c, and solves of growing size. */
export interface KernelResult {
  bundle: StepBundle;
  detail: ArchitectureDetail;
  image: string;
  sizes: StepJson<KernelReport>[];
  /** Its place on the local leaderboard: ranked architectures beside it, and its baseline row. */
  board: { ranked: number; baseline: BaselineRow | null };
}

/** The regularizers suite (the paper's Table 1 ablations at the quick suite's scale): its verified bundle. */
export interface RegularizersResult {
  bundle: StepBundle;
}

/** The standard suite: which of its datasets this machine has, and its results if it ran. */
export interface StandardStatus {
  datasets: { id: string; present: boolean; detail: string }[];
  result: SuiteResult | null;
  /** How big the suite is on the datasets present, and what the quick suite's measured rates say about its duration. */
  size: {
    dataset: string;
    runs: number;
    trainSize: number;
    epochs: number;
    byArchitecture: { id: string; runs: number }[];
  } | null;
}

export interface ReportInput {
  quick: SuiteResult;
  /** The quick suite on the PyTorch engine (CPU): its verified bundle, set beside the wasm one. */
  quickTorch: StepBundle;
  regularizers: RegularizersResult;
  kernel: KernelResult;
  theorem: StepJson<TheoremReport>[];
  standard: StandardStatus;
  /**
   * The quick suite's board on each engine (TF.js, then PyTorch): its standing runs with their
   * complexity measures, read from the local leaderboard's GET /api/v1/leaderboard/measures.
   */
  measures: MeasuresBoard[];
  /** Image paths relative to docs/. */
  imageDir: string;
  /** The command that generates the report. */
  reportCommand: string;
}
