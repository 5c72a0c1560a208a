/** @jsxImportSource hono/jsx */
// The frame of every page: document head (stylesheet, icon, page scripts), the site header
// with its navigation, the main landmark and the footer.

import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { AssetManifest, PageScript } from "../assets.js";
import { jsonForScript } from "../assets.js";
import { API_DOCS_HREF, protocolHref } from "../urls.js";

export type Section = "leaderboard" | "insight" | "protocol" | "other";

export interface LayoutProps {
  /** The page's own title; the site name is appended. */
  title: string;
  description: string;
  section: Section;
  /** The built assets; without them (not built) the page is plain, unstyled HTML. */
  assets: AssetManifest | undefined;
  script?: PageScript;
  /** Data for the page script, embedded as JSON. */
  data?: unknown;
  children: Child;
}

const NAV: { section: Section; href: string; label: string }[] = [
  { section: "leaderboard", href: "/", label: "Leaderboard" },
  { section: "insight", href: "/insight", label: "Insight" },
  { section: "protocol", href: protocolHref(), label: "Protocol" },
];

export function Layout(props: LayoutProps) {
  const { assets } = props;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <title>{`${props.title} · rethink-bench`}</title>
          <meta name="description" content={props.description} />
          {assets && <link rel="stylesheet" href={assets.stylesheet} />}
          {assets && <link rel="icon" href={assets.icon} type="image/svg+xml" />}
          {assets && props.script && <script type="module" src={assets.scripts[props.script]}></script>}
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <div class="wrap site-header-inner">
              <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true"></span>
                rethink-bench
              </a>
              <nav aria-label="Site">
                <ul class="site-nav">
                  {NAV.map((item) => (
                    <li>
                      <a href={item.href} aria-current={item.section === props.section ? "page" : undefined}>
                        {item.label}
                      </a>
                    </li>
                  ))}
                  <li>
                    <a href={API_DOCS_HREF}>API</a>
                  </li>
                </ul>
              </nav>
            </div>
          </header>
          <main id="main" class="wrap" tabindex={-1}>
            {props.children}
          </main>
          <footer class="site-footer">
            <div class="wrap">
              <p>
                The randomization tests of Zhang, Bengio, Hardt, Recht and Vinyals,{" "}
                <a href="https://arxiv.org/abs/1611.03530">
                  “Understanding deep learning requires rethinking generalization”
                </a>{" "}
                (ICLR 2017), as a benchmark anyone can run. Every figure here is recomputed from signed learning curves;
                every bundle can be <a href={protocolHref("verification")}>verified</a> by anyone.
              </p>
              <p>
                Data: <a href={API_DOCS_HREF}>the API</a> (JSON and CSV).
              </p>
            </div>
          </footer>
          {props.data !== undefined && (
            <script
              type="application/json"
              id="page-data"
              dangerouslySetInnerHTML={{ __html: jsonForScript(props.data) }}
            ></script>
          )}
        </body>
      </html>
    </>
  );
}
