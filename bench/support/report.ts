import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface BenchSection {
  title: string;
  /** Markdown: a table and any notes. */
  body: string;
}

export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function commit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { encoding: "utf8" }).trim()
      ? " (with uncommitted changes)"
      : "";
    return sha + dirty;
  } catch {
    return "unknown";
  }
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

const FILE = path.join(process.cwd(), "docs", "benchmarks.md");
const PREAMBLE = `# Benchmarks

Measured by \`npm run bench\` (\`bench/\`; not part of \`npm test\`). Each run appends its results below with the machine,
date and commit; \`npm run bench -- callbacks lists\` runs a subset. Every figure is measured side by side with its
baseline in the same run. Targets are the ones in issue #8.
`;

/** Prints one run's sections and (unless `record` is false) appends them to docs/benchmarks.md. */
export function publish(sections: readonly BenchSection[], database: string, options: { record: boolean }): void {
  const header = `\n## Run of ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC — commit ${commit()}\n\nMachine: ${machine()}. Database: ${database}.\n`;
  const text = header + sections.map((s) => `\n### ${s.title}\n\n${s.body}\n`).join("");
  console.log(text);
  if (!options.record) return;
  if (!existsSync(FILE)) writeFileSync(FILE, PREAMBLE);
  appendFileSync(FILE, text);
}
