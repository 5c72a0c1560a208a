// The README.md of a `tasks export` folder: how to run its tasks where only Python and torch
// exist (a Slurm job array, a Kubernetes Indexed Job, one machine) and bring the results back.

/** What the README says about one export. */
export interface ReadmeFacts {
  /** The folder's name, as the commands below refer to it. */
  folder: string;
  suite: { id: string; version: number };
  taskCount: number;
  runnerVersion: string;
  /** The task list, one line each: `index  key`. */
  keys: string[];
}

/** The Slurm array script: task i of the export is array index i. */
export function slurmScript(facts: ReadmeFacts): string {
  return [
    "#!/bin/bash",
    `#SBATCH --job-name=rethink-bench-${facts.suite.id}`,
    `#SBATCH --array=0-${facts.taskCount - 1}`,
    "#SBATCH --gres=gpu:1",
    "#SBATCH --cpus-per-task=2",
    "#SBATCH --time=02:00:00",
    "#SBATCH --output=logs/%A_%a.out",
    "# Run from the task folder (sbatch run.sbatch inside it): every array index trains one task.",
    'cd "$SLURM_SUBMIT_DIR"',
    'python3 worker.py --dir . --task "$SLURM_ARRAY_TASK_ID" --device cuda',
  ].join("\n");
}

/** The Kubernetes Indexed Job: completion index i trains task i; the folder is a shared volume. */
export function kubernetesJob(facts: ReadmeFacts): string {
  return [
    "apiVersion: batch/v1",
    "kind: Job",
    "metadata:",
    `  name: rethink-bench-${facts.suite.id}`,
    "spec:",
    "  completionMode: Indexed",
    `  completions: ${facts.taskCount}`,
    `  parallelism: ${Math.min(facts.taskCount, 4)}`,
    `  backoffLimit: ${2 * facts.taskCount}`,
    "  template:",
    "    spec:",
    "      restartPolicy: Never",
    "      containers:",
    "        - name: worker",
    "          # Any image with Python 3.8+, torch >= 1.13 and numpy; nothing else is needed.",
    "          image: pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime",
    "          workingDir: /tasks",
    '          command: ["sh", "-c", "python3 worker.py --dir /tasks --task $JOB_COMPLETION_INDEX --device cuda"]',
    "          resources:",
    "            limits:",
    "              nvidia.com/gpu: 1",
    "          volumeMounts:",
    "            - name: tasks",
    "              mountPath: /tasks",
    "      volumes:",
    "        - name: tasks",
    "          # A ReadWriteMany claim holding this folder; results/ must be writable.",
    "          persistentVolumeClaim:",
    "            claimName: rethink-bench-tasks",
  ].join("\n");
}

/** The README.md text. */
export function exportReadme(facts: ReadmeFacts): string {
  const n = facts.taskCount;
  const fence = (language: string, body: string) => `\`\`\`${language}\n${body}\n\`\`\``;
  return `# rethink-bench tasks: suite ${facts.suite.id} v${facts.suite.version} (${n} task${n === 1 ? "" : "s"})

Written by \`rethink-bench tasks export\` (rethink-bench ${facts.runnerVersion}). Every task's data is
already prepared here (training subset, corrupted labels, the per-epoch example order, the
augmentation draws), so the machines that train need **only Python 3.8+, torch >= 1.13 and numpy**:
no Node.js, no network. \`worker.py\` trains task *i* and writes \`results/<i>.json\`; a task whose
valid result is already there is skipped, so any command below can be run again after a crash,
a preemption or a cancelled job.

Copy this whole folder to the cluster (\`rsync -a ${facts.folder}/ cluster:${facts.folder}/\`), run the
tasks there by one of the ways below, copy \`results/\` back into this folder, and import:

${fence("sh", `rethink-bench tasks import ${facts.folder}`)}

The import checks every result against its task exactly as \`rethink-bench run\` and the
leaderboard do, and writes the signed bundle. All results must come from one engine identity
(torch version, device, device name, CPU model): train every task on the same kind of node.

## One machine

${fence("sh", `python3 worker.py --dir . --all --device cuda   # or --device cpu / mps / auto`)}

\`python3 worker.py --dir . --check --device cuda\` prints the engine it would use (torch, CUDA and
cuDNN versions, device name) and exits: a quick test of a node.

## Slurm job array

\`run.sbatch\` in this folder holds this script: submit it from here with \`sbatch run.sbatch\`; array index *i*
trains task *i*.
Adjust \`--gres\`, \`--time\` and the partition to your cluster; without GPUs drop \`--gres\` and use \`--device cpu\`.

${fence("bash", slurmScript(facts))}

Resubmit the same script to finish tasks that did not complete (finished ones exit at once), or
only some indices: \`sbatch --array=3,7 run.sbatch\`.

## Kubernetes Indexed Job

Put this folder on a ReadWriteMany volume (here the claim \`rethink-bench-tasks\`), then
\`kubectl apply -f job.yaml\` (\`job.yaml\` in this folder holds this manifest):

${fence("yaml", kubernetesJob(facts))}

Completion index *i* trains task *i*. Copy \`results/\` back from the volume when the Job completes.

## What is in this folder

- \`tasks.json\`: the task list; each entry names its task, the network to build and the data files.
- \`data/\`: the prepared arrays, named by their SHA-256 (the worker checks each before use).
- \`models/\`: the PyTorch module files of a \`--model file.py:factory\` architecture, if any.
- \`worker.py\`: the worker (one file; \`python3 worker.py --help\`).
- \`run.sbatch\`, \`job.yaml\`: the Slurm script and the Kubernetes Job above.
- \`export.json\`: what \`tasks import\` needs (the suite, the architecture and dataset records).
- \`results/\`: one \`<index>.json\` per finished task. \`logs/\`: the Slurm script's output.

## Tasks

${fence("", facts.keys.join("\n"))}
`;
}
