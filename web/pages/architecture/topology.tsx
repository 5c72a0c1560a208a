/** @jsxImportSource hono/jsx */
// An architecture's topology in words: its layers counted by kind and listed in order, a PyTorch
// module's tree of modules, or a kernel baseline's recorded settings, with a link to the full
// canonical topology.
import type { Child } from "hono/jsx";
import type { ArchitectureDetail } from "../../../schema/index.js";
import { NumTh } from "../../components/parts.js";
import { formatInteger, NONE, plural } from "../../format.js";
import { summarizeModule } from "../../module-tree.js";
import { summarizeTopology } from "../../topology.js";
import { apiArchitectureHref } from "../../urls.js";

/** A kernel baseline's recorded settings (γ, training points, the solve), as its bundle states them. */
function KernelSettings(props: { topology: Record<string, unknown> }) {
  const entries = Object.entries(props.topology).filter(
    ([, value]) => typeof value === "string" || typeof value === "number",
  );
  return (
    <dl class="facts">
      {entries.map(([key, value]) => (
        <div>
          <dt>{key}</dt>
          <dd>{String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A table of every layer or module, collapsed under `summary`: `head` is the header row's cells, the children its rows. */
function CollapsedTable(props: { summary: string; caption: string; head: Child; children: Child }) {
  return (
    <details>
      <summary>{props.summary}</summary>
      <div class="table-wrap">
        <table>
          <caption>{props.caption}</caption>
          <thead>
            <tr>{props.head}</tr>
          </thead>
          <tbody>{props.children}</tbody>
        </table>
      </div>
    </details>
  );
}

/** A PyTorch module's description: its modules depth first, with settings and parameter shapes. */
function ModuleTree(props: { detail: ArchitectureDetail }) {
  const a = props.detail.architecture;
  const tree = summarizeModule(a.topology);
  if (!tree) return <p>This PyTorch module's description could not be read.</p>;
  const [height, width, channels] = a.inputShape;
  return (
    <>
      <p>
        A PyTorch module (<code>{tree.rootType}</code>) of {plural(tree.modules.length - 1, "submodule")} with{" "}
        {formatInteger(a.parameterCount)} parameters, for {channels}×{height}×{width} inputs (channels first):{" "}
        {tree.counts.length
          ? tree.counts.map((c, i) => (
              <>
                {i > 0 && ", "}
                {c.count} {c.type}
              </>
            ))
          : "no submodules"}
        . Its identity is its description: the module tree with each module's type, constructor settings and parameter
        shapes, and the SHA-256 of the source of classes defined outside PyTorch.
      </p>
      <CollapsedTable
        summary="Every module"
        caption="Modules depth first (the description; weights are not part of it)"
        head={
          <>
            <th scope="col">Module</th>
            <th scope="col">Type</th>
            <th scope="col">Settings</th>
            <th scope="col">Parameters</th>
          </>
        }
      >
        {tree.modules.map((m) => (
          <tr>
            <td>
              <code>{m.path || "(root)"}</code>
            </td>
            <th scope="row" title={m.qualifiedType}>
              {m.type}
            </th>
            <td>{m.settings || <span class="none">{NONE}</span>}</td>
            <td>
              {m.parameters || <span class="none">{NONE}</span>}
              {m.buffers && <span class="sub">buffers: {m.buffers}</span>}
            </td>
          </tr>
        ))}
      </CollapsedTable>
    </>
  );
}

export function Topology(props: { detail: ArchitectureDetail }) {
  const a = props.detail.architecture;
  const torch = a.kind === "torch-module";
  const summary = torch ? null : summarizeTopology(a.topology);
  const json = apiArchitectureHref(a.fingerprint);
  return (
    <section aria-labelledby="topology-heading">
      <h2 id="topology-heading">Topology</h2>
      {torch ? (
        <ModuleTree detail={props.detail} />
      ) : summary ? (
        <>
          <p>
            {summary.className === "Sequential" ? "A sequential" : "A"} model of{" "}
            {plural(summary.layers.length, "layer")} with {formatInteger(a.parameterCount)} parameters, for{" "}
            {a.inputShape.join("×")} inputs:{" "}
            {summary.counts.map((c, i) => (
              <>
                {i > 0 && ", "}
                {c.count} {c.className}
              </>
            ))}
            .
          </p>
          <CollapsedTable
            summary="Every layer"
            caption="Layers in order (the canonical topology; weights are not part of it)"
            head={
              <>
                <NumTh>#</NumTh>
                <th scope="col">Layer</th>
                <th scope="col">Settings</th>
                <th scope="col">Reads from</th>
              </>
            }
          >
            {summary.layers.map((l) => (
              <tr>
                <td class="num">{l.index}</td>
                <th scope="row">{l.className}</th>
                <td>{l.detail || <span class="none">{NONE}</span>}</td>
                <td>{l.inputs.length ? l.inputs.join(", ") : <span class="none">{NONE}</span>}</td>
              </tr>
            ))}
          </CollapsedTable>
        </>
      ) : props.detail.architecture.kind === "kernel" ? (
        <KernelSettings topology={a.topology} />
      ) : (
        <p>This architecture's topology has no layer list to summarize.</p>
      )}
      <p class="muted">
        The fingerprint is the SHA-256 of the {torch ? "description" : "topology"}'s canonical JSON; the full{" "}
        {torch ? "description" : "topology"} is in the <a href={json}>API document</a>.
      </p>
    </section>
  );
}
