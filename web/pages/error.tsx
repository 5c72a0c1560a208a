/** @jsxImportSource hono/jsx */
// The page for a request that has no page to show: not found, a bad filter, the database
// out of reach. The API's problem, said for a reader, with the pages to go to instead.
import type { AssetManifest } from "../assets.js";
import { Layout } from "../components/layout.js";

export interface ErrorPageProps {
  status: number;
  title: string;
  detail: string;
  /** Pages that do exist, e.g. every board when the request named none of them. */
  alternatives?: { title: string; links: { href: string; text: string }[] } | undefined;
  assets: AssetManifest | undefined;
}

export function ErrorPage(props: ErrorPageProps) {
  return (
    <Layout title={props.title} description={props.detail} section="other" assets={props.assets}>
      <header class="page-head">
        <p class="status-code">Error {props.status}</p>
        <h1>{props.title}</h1>
      </header>
      <div class="empty">
        <p>{props.detail}</p>
        {props.alternatives && (
          <nav aria-labelledby="alternatives-heading">
            <h2 id="alternatives-heading">{props.alternatives.title}</h2>
            <ul>
              {props.alternatives.links.map((link) => (
                <li>
                  <a href={link.href}>{link.text}</a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <p>
          <a href="/">Back to the leaderboard</a>
          {props.status >= 500 && " · try again in a moment"}
        </p>
      </div>
    </Layout>
  );
}
