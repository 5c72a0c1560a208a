#!/usr/bin/env node
// The package's command: the compiled CLI lives in dist/ (built by `npm run build`,
// which `npm ci` runs through the `prepare` script).
import "../dist/runner/cli.js";
