/** @jsxImportSource hono/jsx */
// An architecture's topology in words: its layers counted by kind and listed in order, or a
// kernel baseline's recorded settings, with a link to the full canonical topology.
import type { ArchitectureDetail } from "../../../schema/index.js";
import { NumTh } from "../../components/parts.js";
import { formatInteger, NONE, plural } from "../../format.js";
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

export function Topology(props: { detail: ArchitectureDetail }) {
  const a = props.detail.architecture;
  const summary = summarizeTopology(a.topology);
  const json = apiArchitectureHref(a.fingerprint);
  return (
    <section aria-labelledby="topology-heading">
      <h2 id="topology-heading">Topology</h2>
      {summary ? (
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
          <details>
            <summary>Every layer</summary>
            <div class="table-wrap">
              <table>
                <caption>Layers in order (the canonical topology; weights are not part of it)</caption>
                <thead>
                  <tr>
                    <NumTh>#</NumTh>
                    <th scope="col">Layer</th>
                    <th scope="col">Settings</th>
                    <th scope="col">Reads from</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.layers.map((l) => (
                    <tr>
                      <td class="num">{l.index}</td>
                      <th scope="row">{l.className}</th>
                      <td>{l.detail || <span class="none">{NONE}</span>}</td>
                      <td>{l.inputs.length ? l.inputs.join(", ") : <span class="none">{NONE}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      ) : props.detail.architecture.kind === "kernel" ? (
        <KernelSettings topology={a.topology} />
      ) : (
        <p>This architecture's topology has no layer list to summarize.</p>
      )}
      <p class="muted">
        The fingerprint is the SHA-256 of the topology's canonical JSON; the full topology is in the{" "}
        <a href={json}>API document</a>.
      </p>
    </section>
  );
}
