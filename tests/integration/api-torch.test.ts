// Bundles from the PyTorch engine on embedded Postgres (PGlite): a signed torch-cuda bundle with a
// PyTorch module is accepted, stored with its engine and ranked beside a TF.js one; a bundle whose
// backend and engine disagree, or whose module description contradicts its parameter count, is
// refused with a problem that names the field and stores nothing.
import { describe, expect, it } from "vitest";
import {
  ArchitectureDetail,
  Leaderboard,
  SubmissionDetail,
  SubmissionReceipt,
  type TorchEngine,
  type TorchModuleDescription,
} from "../../schema/index.js";
import { countRows, postBundle, signedBundle, signRaw } from "../fixtures/api.js";
import { makePredicate, newSigner } from "../fixtures/bundles.js";
import { expectProblem, usePgliteApp } from "../fixtures/pglite.js";
import {
  mlpModuleDescription,
  mlpModuleParameterCount,
  TORCH_CPU_ENGINE,
  TORCH_CUDA_ENGINE,
} from "../fixtures/torch-module.js";

const pg = usePgliteApp({ empty: true });

const NOTHING = { submitters: 0, architectures: 0, submissions: 0, runs: 0, moderation_actions: 0 };

/** The smoke suite's images are 28×28×1: the module's first Linear reads 784 features. */
const torchNet = (description: TorchModuleDescription = mlpModuleDescription(784)) => ({
  id: "tiny-net",
  name: "Tiny net",
  topology: description,
  torchModule: { parameterCount: mlpModuleParameterCount(784) },
});

async function submit(bundle: { text: string }): Promise<string> {
  const res = await postBundle(pg.app, bundle.text);
  expect(res.status, await res.clone().text()).toBe(201);
  return SubmissionReceipt.parse(await res.json()).id;
}

async function leaderboard(query: string): Promise<Leaderboard> {
  const res = await pg.app.request(`/api/v1/leaderboard?suite=smoke&${query}`);
  expect(res.status).toBe(200);
  return Leaderboard.parse(await res.json());
}

describe("a PyTorch bundle on the board", () => {
  it("is stored with its engine, ranked beside TF.js, and shown as PyTorch", async () => {
    // The PyTorch module memorizes random labels at epoch 5, the TF.js MLP at 20: the module ranks first.
    const torch = await signedBundle({
      engine: TORCH_CUDA_ENGINE,
      architectures: [torchNet()],
      fitEpochs: { true: 4, random: 5 },
      hardware: { gpu: "NVIDIA H100 80GB HBM3" },
    });
    const tfjs = await signedBundle({});
    const torchId = await submit(torch);
    await submit(tfjs);

    const detail = SubmissionDetail.parse(await (await pg.app.request(`/api/v1/submissions/${torchId}`)).json());
    expect(detail).toMatchObject({ backend: "torch-cuda", engine: TORCH_CUDA_ENGINE });

    const board = await leaderboard("rank=memorization");
    expect(board.rows.map((r) => [r.rank, r.architecture.id, r.architecture.kind])).toEqual([
      [1, "tiny-net", "torch-module"],
      [2, "mlp-1x512", "builtin"],
    ]);
    expect(board.rows[0]!.bestWallTime).toMatchObject({ backend: "torch-cuda", submissionId: torchId });
    // The backend filter tells the engines apart.
    expect((await leaderboard("backend=torch-cuda")).rows.map((r) => r.architecture.id)).toEqual(["tiny-net"]);
    expect((await leaderboard("backend=wasm")).rows.map((r) => r.architecture.id)).toEqual(["mlp-1x512"]);

    const fingerprint = torch.predicate.architectures[0]!.fingerprint;
    const architecture = ArchitectureDetail.parse(
      await (await pg.app.request(`/api/v1/architectures/${fingerprint}?suite=smoke`)).json(),
    ).architecture;
    expect(architecture).toMatchObject({ kind: "torch-module", parameterCount: mlpModuleParameterCount(784) });
    expect(architecture.topology).toEqual(mlpModuleDescription(784));

    const boardPage = await (await pg.app.request("/?suite=smoke")).text();
    expect(boardPage).toContain("PyTorch module");
    expect(boardPage).toContain("PyTorch (CUDA)");
    expect(boardPage).toContain('<option value="torch-cuda"');

    const architecturePage = await (await pg.app.request(`/architectures/${fingerprint}?suite=smoke`)).text();
    expect(architecturePage).toContain("PyTorch module");
    expect(architecturePage).toContain("A PyTorch module (<code>TinyNet</code>) of 5 submodules");
    // Modules, settings and shapes in natural order (canonical JSON and jsonb keep no key order).
    expect(architecturePage).toContain("2 Linear, 1 BatchNorm1d, 1 Flatten, 1 ReLU.");
    expect(architecturePage).toContain("<td>in_features=784, out_features=32</td><td>bias 32, weight 32×784</td>");
    expect(architecturePage).toContain("buffers: num_batches_tracked scalar, running_mean 32, running_var 32");
    expect(architecturePage).not.toContain("has no layer list");

    const submissionPage = await (await pg.app.request(`/submissions/${torchId}`)).text();
    expect(submissionPage).toContain("PyTorch (CUDA)");
    expect(submissionPage).toContain(
      "PyTorch 2.5.1+cu124 · Python 3.12.3 · numpy 2.1.3 · CUDA 12.4 · cuDNN 9.1.0 · cuda:0 (NVIDIA H100 80GB HBM3), 1 thread",
    );
  });
});

describe("refused PyTorch bundles", () => {
  it("refuses a torch-cpu bundle without its engine record, naming the field and the fix", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer, { engine: TORCH_CPU_ENGINE, architectures: [torchNet()] });
    delete predicate.environment.engine;
    const problem = await expectProblem(postBundle(pg.app, await signRaw(predicate, signer)), 422, "inconsistent");
    expect(problem.detail).toMatch(/^predicate\.environment\.engine: is missing: a torch-cpu bundle must record/);
    expect(problem.detail).toContain("rethink-bench run --engine torch");
    expect(await countRows(pg.handle)).toEqual(NOTHING);
  });

  it("refuses a TF.js backend that carries a PyTorch engine, and a device of another type", async () => {
    const signer = await newSigner();
    const wasm = await makePredicate(signer, { engine: TORCH_CPU_ENGINE });
    wasm.environment.backend = "wasm";
    const problem = await expectProblem(postBundle(pg.app, await signRaw(wasm, signer)), 422, "inconsistent");
    expect(problem.errors?.map((e) => e.path)).toEqual(["predicate.environment.engine"]);
    expect(problem.detail).toContain('must be absent: backend "wasm" is TF.js\'s');

    const cpuOnCuda = await makePredicate(signer, { engine: { ...TORCH_CPU_ENGINE, device: "cuda:0" } });
    cpuOnCuda.environment.backend = "torch-cpu";
    const device = await expectProblem(postBundle(pg.app, await signRaw(cpuOnCuda, signer)), 422, "inconsistent");
    expect(device.detail).toBe(
      'predicate.environment.engine.device: is "cuda:0", but backend torch-cpu trains on "cpu"',
    );
    expect(await countRows(pg.handle)).toEqual(NOTHING);
  });

  it("refuses a module whose parameter count its description contradicts", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer, {
      engine: TORCH_CPU_ENGINE,
      architectures: [{ ...torchNet(), torchModule: { parameterCount: 10 } }],
    });
    const problem = await expectProblem(
      postBundle(pg.app, JSON.stringify(await signRaw(predicate, signer))),
      422,
      "wrong-architecture",
    );
    expect(problem.errors?.[0]).toMatchObject({ path: "predicate.architectures[0].parameterCount" });
    expect(problem.errors?.[0]?.message).toMatch(/^tiny-net@28x28x1: is 10, but the module description has \d+/);
    expect(await countRows(pg.handle)).toEqual(NOTHING);
  });
});

describe("later PyTorch results of a slot", () => {
  /** The slot counts of tiny-net after a first and a second result of its seed-0 slots. */
  async function countsAfter(first: TorchEngine, second: TorchEngine, sameOutcome = false) {
    const bundle = (engine: TorchEngine, random: number) =>
      signedBundle({ engine, architectures: [torchNet()], seeds: [0], fitEpochs: { true: 4, random } });
    await submit(await bundle(first, 5));
    await submit(await bundle(second, sameOutcome ? 5 : 6));
    const [row] = (await leaderboard("rank=memorization")).rows;
    return {
      confirmations: row!.counts.confirmations,
      contests: row!.counts.contests,
      replicates: row!.counts.replicates,
    };
  }

  it("contests on torch-cpu only with the same torch version, thread count and CPU model", async () => {
    // Two slots (true and random labels): only the random-label run's outcome differs.
    expect(await countsAfter(TORCH_CPU_ENGINE, TORCH_CPU_ENGINE)).toEqual({
      confirmations: 1,
      contests: 1,
      replicates: 0,
    });
  });

  it("replicates on torch-cpu with another thread count", async () => {
    expect(await countsAfter(TORCH_CPU_ENGINE, { ...TORCH_CPU_ENGINE, threads: 4 })).toEqual({
      confirmations: 1,
      contests: 0,
      replicates: 1,
    });
  });

  it("replicates a different result on CUDA even from the same engine", async () => {
    expect(await countsAfter(TORCH_CUDA_ENGINE, TORCH_CUDA_ENGINE)).toEqual({
      confirmations: 1,
      contests: 0,
      replicates: 1,
    });
  });
});
