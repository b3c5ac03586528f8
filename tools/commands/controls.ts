/* npm run controls [-- --format table|markdown] [--write <file>] */
import * as fs from "node:fs";
import { parseFlags, progress, requireChoice, runCli } from "../cli";
import { catalogRows, CONTROLS_FORMATS, renderMarkdown, renderTable } from "../report/controls";

const USAGE = "usage: npm run controls -- [--format table|markdown] [--write <file>]";
const HELP = `${USAGE}

Prints the control catalog from the policy pack's own metadata, with each stack's level.
  --format table|markdown  (default table)
  --write <file>           write it to a file (docs/controls.md is this, with --format markdown)

Exit codes: 0 printed or written; 2 usage error.`;
async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    { format: { type: "string", default: "table" }, write: { type: "string" } },
    USAGE,
  );
  const format = requireChoice("format", flags.format as string, CONTROLS_FORMATS);
  const catalog = catalogRows();
  const text = format === "markdown" ? renderMarkdown(catalog) : renderTable(catalog);
  if (flags.write) {
    fs.writeFileSync(flags.write, text);
    progress("controls", `wrote ${catalog.rows.length} controls to ${flags.write}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}

runCli("controls", main, HELP);
